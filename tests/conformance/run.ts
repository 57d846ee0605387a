/**
 * Conformance: runs the pipeline on a corpus of real Kaito example files (kept outside this repository,
 * e.g. ../shared/conformance/kaito-examples) and checks each file's promise: it renders and
 * `kubectl kustomize` accepts the tree (with `nvidia.com/gpu` on every GPU workload), or it is refused
 * with problems that name the field and say what to change. Nothing may crash.
 *
 *   npm run conformance -- <dir> [--json results.json]
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { readCatalog } from '../../src/catalog/index.ts';
import { hydrate } from '../../src/pipeline.ts';
import { writeTree } from '../../src/render/index.ts';
import { kustomizeBuild, requireKubectl } from '../support/kustomize.ts';

interface FileResult {
  file: string;
  outcome: 'rendered' | 'refused' | 'partly refused';
  ok: boolean;
  detail: string[];
}

const INTERNAL = /internal error/i;
const GPU_KINDS = new Set(['Deployment', 'StatefulSet', 'Job']);

async function specFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Problems in the kustomize output: every GPU workload must request GPUs (whole, or a MIG slice). */
function gpuProblems(rendered: string): string[] {
  const problems: string[] = [];
  for (const doc of parseAllDocuments(rendered)) {
    const object = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: unknown } | null;
    if (!object?.kind || !GPU_KINDS.has(object.kind)) continue;
    const text = JSON.stringify(object.spec);
    if (!/"nvidia\.com\/(gpu|mig-[^"]+)"/.test(text))
      problems.push(`${object.kind} ${object.metadata?.name} requests no nvidia.com/gpu or MIG slice`);
  }
  return problems;
}

async function check(
  root: string,
  path: string,
  kubectl: string,
  catalog: Awaited<ReturnType<typeof readCatalog>>,
): Promise<FileResult> {
  const file = relative(root, path);
  const content = await readFile(path, 'utf8');
  let result;
  try {
    result = hydrate([{ path: file, content }], { catalog });
  } catch (error) {
    return {
      file,
      outcome: 'refused',
      ok: false,
      detail: [`crashed: ${(error as Error).stack ?? String(error)}`],
    };
  }
  const detail: string[] = [];
  let ok = true;
  for (const error of result.errors) {
    for (const problem of error.problems) {
      detail.push(`${problem.path ? `${problem.path}: ` : ''}${problem.message}`);
      if (problem.message.trim() === '' || INTERNAL.test(problem.message)) ok = false;
    }
    if (error.problems.length === 0) {
      detail.push('refused without saying why');
      ok = false;
    }
  }
  if (result.plans.length > 0) {
    const dir = await mkdtemp(join(tmpdir(), 'kaito-conformance-'));
    try {
      writeTree(dir, result.tree);
      const rendered = await kustomizeBuild(kubectl, dir);
      const gpu = gpuProblems(rendered);
      if (gpu.length > 0) {
        ok = false;
        detail.push(...gpu);
      }
    } catch (error) {
      ok = false;
      detail.push(`kubectl kustomize failed: ${(error as Error).message}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const outcome =
    result.errors.length === 0 ? 'rendered' : result.plans.length === 0 ? 'refused' : 'partly refused';
  return { file, outcome, ok, detail };
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { json: { type: 'string' } } });
const root = positionals[0];
if (root === undefined) {
  process.stderr.write('usage: npm run conformance -- <dir> [--json results.json]\n');
  process.exit(2);
}
const kubectl = await requireKubectl();
const catalog = await readCatalog();
const results: FileResult[] = [];
for (const path of await specFiles(root)) {
  const result = await check(root, path, kubectl, catalog);
  results.push(result);
  process.stdout.write(`${result.ok ? 'PASS' : 'FAIL'}  ${result.outcome.padEnd(14)}  ${result.file}\n`);
  for (const line of result.detail) process.stdout.write(`        ${line}\n`);
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
const counts = ['rendered', 'refused', 'partly refused']
  .map((o) => `${results.filter((r) => r.outcome === o).length} ${o}`)
  .join(', ');
process.stdout.write(
  `\nconformance: ${results.length} files (${counts}): ${passed} passed, ${failed} failed\n`,
);
if (values.json)
  await writeFile(values.json, JSON.stringify({ passed, failed, files: results }, null, 2) + '\n');
process.exitCode = failed > 0 || results.length === 0 ? 1 : 0;
