/**
 * Rewrites the golden trees (what the bundled examples render to) under tests/golden, for review.
 * `npm run generate` (scripts/generate.ts) calls it with the other generated files.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { goldenTrees } from './trees.ts';

/** Writes every golden tree under `root`; returns one line per tree for the log. */
export async function writeGoldenTrees(root: string): Promise<string[]> {
  const lines: string[] = [];
  for (const golden of await goldenTrees()) {
    const dir = join(root, golden.dir);
    await rm(dir, { recursive: true, force: true });
    for (const [path, content] of golden.tree) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    lines.push(`wrote ${golden.dir} (${golden.tree.size} files)`);
  }
  return lines;
}
