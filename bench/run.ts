/**
 * `npm run bench [-- --large] [-- --no-sync] [-- --no-agent] [-- --no-report]`: prints the benchmark tables the README records.
 *
 * 1. Pipeline: N generated Workspace specs (mixed presets, SKUs, runtimes, a multi-node one with its
 *    ConfigMap, adapters, tuning; ten namespaces) through the whole pipeline — load, validate, plan,
 *    synthesize, render — and onto disk; in the same process, the reference: a plain cdk8s-plus synth
 *    (Deployment + Service + ConfigMap per chart, `app.synth()`) of the same count, and `kubectl
 *    kustomize` over our output. Figures that matter are ratios within one run: the machine is shared.
 * 2. Sync (bench/sync.ts): webhook → deploy commit pushed for a one-spec change among 1,000 workspaces.
 * 3. Agent (bench/agent.ts): 1,000 Workspaces against the Kubernetes API test server until all are Ready,
 *    and the API requests per Workspace at steady state.
 * 4. Report (bench/report.ts): `report plan` for a pull request changing 1 of 1,000 workspaces, until the
 *    comment is posted, against one `synth` of the same tree.
 * 4. OCI (bench/oci.ts): adapter push and pull of 100 MiB and 1 GiB against docker-registry, time and peak
 *    RSS, with skopeo copy of the same content as the reference (`-- --no-oci` leaves it out).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readCatalog } from '../src/catalog/index.ts';
import { hydrate, type SourceFile } from '../src/pipeline.ts';
import { writeTree } from '../src/render/index.ts';
import { findKubectl } from '../tests/support/kustomize.ts';
import { benchAgent } from './agent.ts';
import { benchReport } from './report.ts';
import { benchOci, printOciTable } from './oci.ts';
import { runReference } from './synth.ts';
import { benchSync } from './sync.ts';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const sizes = args.includes('--large') ? [100, 1000, 10000] : [100, 1000];
const REFERENCE_MAX = 2000;

/** N spec files cycling through the bundled examples, renamed and spread over ten namespaces. */
async function specs(n: number): Promise<SourceFile[]> {
  const examples = await Promise.all(
    ['phi-3-mini.yaml', 'phi-3-adapter.yaml', 'llama-3.3-70b.yaml', 'phi-3-tuning.yaml'].map((file) =>
      readFile(join(repo, 'gitops', 'workspaces', file), 'utf8'),
    ),
  );
  return Array.from({ length: n }, (_, i) => {
    const id = `ws-${String(i).padStart(5, '0')}`;
    const content = (examples[i % examples.length] ?? '')
      .replace(/name: (workspace-[a-z0-9-]+)/, `name: ${id}\n  namespace: team-${i % 10}`)
      .replace('name: llama-inference-params', `name: ${id}-params\n  namespace: team-${i % 10}`)
      .replace('config: llama-inference-params', `config: ${id}-params`);
    return { path: `${id}.yaml`, content };
  });
}

const mib = () => Math.round(process.memoryUsage().rss / 2 ** 20);
const ms = (v: number) => `${Math.round(v)}`;

async function pipelineTable(): Promise<void> {
  const catalog = await readCatalog();
  const kubectl = findKubectl();
  const root = await mkdtemp(join(tmpdir(), 'kaito-gitops-bench-'));
  try {
    hydrate(await specs(20), { catalog }); // warm-up: module loading and JIT
    console.log(
      '| N | pipeline (ms) | per workspace (ms) | RSS (MiB) | cdk8s-plus synth (ms) | ratio | kubectl kustomize (ms) |',
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const n of sizes) {
      const files = await specs(n);
      const out = join(root, `pipeline-${n}`);
      const start = performance.now();
      const result = hydrate(files, { catalog });
      writeTree(out, result.tree);
      const pipelineMs = performance.now() - start;
      const rss = mib();
      if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.message).join('\n'));
      const reference = n <= REFERENCE_MAX ? runReference(n, join(root, `reference-${n}`)) : undefined;
      let kustomizeMs: number | undefined;
      if (kubectl !== undefined) {
        const started = performance.now();
        const env = { ...process.env };
        delete env['KUBECONFIG'];
        await run(kubectl, ['kustomize', out], { env, maxBuffer: 1 << 30 });
        kustomizeMs = performance.now() - started;
      }
      console.log(
        `| ${n} | ${ms(pipelineMs)} | ${(pipelineMs / n).toFixed(2)} | ${rss} | ${reference ? ms(reference.totalMs) : '-'} | ${
          reference ? (pipelineMs / reference.totalMs).toFixed(2) : '-'
        } | ${kustomizeMs === undefined ? '-' : ms(kustomizeMs)} |`,
      );
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

console.log(`## Pipeline: specs → tree on disk (${new Date().toISOString().slice(0, 10)}, ${tmpdir()})\n`);
await pipelineTable();
if (!args.includes('--no-sync')) {
  console.log('\n## Sync: webhook for a one-spec change → deploy commit pushed (1,000 workspaces)\n');
  const rows = await benchSync(Number(process.env['BENCH_SYNC_CHANGES'] ?? 10));
  console.log('| pass | p50 (ms) | p95 (ms) | runs |');
  console.log('|---|---|---|---|');
  for (const row of rows)
    console.log(`| ${row.name} | ${ms(row.p50_ms)} | ${ms(row.p95_ms)} | ${row.runs} |`);
}
if (!args.includes('--no-agent')) {
  console.log('\n## Agent: alone in its own process, as the chart runs it, against the API test server\n');
  const r = await benchAgent(1000);
  console.log(
    '| workspaces | idle peak RSS (MiB) | peak RSS (MiB) | start → all Ready (ms) | writes / workspace at steady state | requests / workspace at steady state | NODE_OPTIONS |',
  );
  console.log('|---|---|---|---|---|---|---|');
  console.log(
    `| ${r.workspaces} | ${r.idleRssMiB} | ${r.peakRssMiB} | ${ms(r.readyMs)} | ${r.writesPerWorkspace} | ${r.requestsPerWorkspace} (${r.steadyStateResyncs} resyncs) | \`${r.nodeOptions}\` |`,
  );
}
if (!args.includes('--no-report')) {
  console.log('\n## Report: `report plan` for a pull request changing 1 of 1,000 workspaces\n');
  const r = await benchReport(Number(process.env['BENCH_REPORT_RUNS'] ?? 5));
  console.log(
    '| workspaces | start → comment posted (ms) | whole command (ms) | `synth` of the same tree (ms) | ratio | comment (chars) |',
  );
  console.log('|---|---|---|---|---|---|');
  console.log(
    `| ${r.workspaces} | ${ms(r.toCommentMs)} | ${ms(r.commandMs)} | ${ms(r.synthMs)} | ${r.ratio.toFixed(2)} | ${r.commentChars} |`,
  );
}
if (!args.includes('--no-oci')) {
  console.log(
    '\n## OCI: adapter push and pull against docker-registry; reference: skopeo copy of the same content\n',
  );
  const runs = Number(process.env['BENCH_OCI_RUNS'] ?? 3);
  printOciTable(await benchOci(undefined, runs), runs);
}
