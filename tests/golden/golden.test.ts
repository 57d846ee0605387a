import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenTrees } from './trees.ts';

const repo = join(import.meta.dirname, '..', '..');

async function filesOf(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = new Map<string, string>();
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path).split(sep).join('/'), await readFile(path, 'utf8'));
  }
  return files;
}

describe('golden trees (update with `npm run generate`, then read the diff)', async () => {
  for (const golden of await goldenTrees()) {
    it(`${golden.dir} is what its specs render to`, async () => {
      const committed = await filesOf(join(repo, golden.dir));
      expect([...committed.keys()].sort()).toEqual([...golden.tree.keys()].sort());
      for (const [path, content] of golden.tree) expect(committed.get(path), path).toBe(content);
    });
  }
});
