/** The golden trees: what the bundled examples render to, kept under tests/golden for review. */
import { join } from 'node:path';
import { readCatalog } from '../../src/catalog/index.ts';
import { readSources } from '../../src/cli/sources.ts';
import { hydrate } from '../../src/pipeline.ts';
import type { Tree } from '../../src/render/index.ts';

const repo = join(import.meta.dirname, '..', '..');

export interface GoldenTree {
  /** Directory of the golden files, relative to the repository. */
  dir: string;
  tree: Tree;
}

export async function goldenTrees(): Promise<GoldenTree[]> {
  const catalog = await readCatalog();
  const files = await readSources(['gitops/workspaces'], repo);
  const result = hydrate(files, { catalog });
  if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return [{ dir: 'tests/golden/workspaces', tree: result.tree }];
}
