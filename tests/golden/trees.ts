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

/** Specs → golden directory: the bundled examples, and the Kaito v0.12 fidelity cases of issue 10. */
const SOURCES = [
  { specs: 'gitops/workspaces', dir: 'tests/golden/workspaces' },
  { specs: 'tests/golden/specs', dir: 'tests/golden/fidelity' },
];

export async function goldenTrees(): Promise<GoldenTree[]> {
  const catalog = await readCatalog();
  const trees: GoldenTree[] = [];
  for (const { specs, dir } of SOURCES) {
    const { files, repository } = await readSources([specs], repo);
    const result = hydrate(files, { catalog, repository });
    if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.message).join('\n'));
    trees.push({ dir, tree: result.tree });
  }
  return trees;
}
