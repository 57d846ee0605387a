/**
 * `npm run generate`: rewrites every generated file that is committed and reviewed — the CRD and the
 * editor JSON Schema (from src/api's schema), the Helm chart and its plain manifests (from
 * src/agent/chart), and the golden trees of the bundled examples. Read the
 * diff before committing it: the tests compare these files with what the code produces now.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeChart } from '../../src/agent/chart/index.ts';
import { generatedFiles } from '../../src/api/index.ts';
import { goldenTrees } from './trees.ts';

const repo = join(import.meta.dirname, '..', '..');

for (const file of generatedFiles()) {
  await mkdir(dirname(join(repo, file.path)), { recursive: true });
  await writeFile(join(repo, file.path), file.content);
  process.stdout.write(`wrote ${file.path}\n`);
}

for (const golden of await goldenTrees()) {
  const dir = join(repo, golden.dir);
  await rm(dir, { recursive: true, force: true });
  for (const [path, content] of golden.tree) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  process.stdout.write(`wrote ${golden.dir} (${golden.tree.size} files)\n`);
}

const chart = await writeChart(repo);
process.stdout.write(chart.length === 0 ? 'chart: up to date\n' : `wrote ${chart.join(', ')}\n`);
