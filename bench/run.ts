/**
 * `npm run bench [-- --large] [-- --no-synth|--no-sync|--no-agent|--no-startup|--no-report|--no-oci]`: prints
 * the benchmark tables the README records. The machine is shared and noisy: the figures that matter are
 * the ratios, each against a reference measured in the same run.
 *
 * 1. Synth (bench/synth-cli.ts): `kaito-gitops synth` of N generated spec files (mixed presets, SKUs,
 *    runtimes, a multi-node one with its ConfigMap, adapters, tuning; ten namespaces) into an empty
 *    directory, as its own process; reference: a plain cdk8s-plus synth of N charts, also its own process
 *    (quadratic, so only up to 2,000). Then `kubectl kustomize` of every shard (what the Flux bootstrap
 *    points at: the largest, and the CPU of all) against one build of the whole tree (up to 1,000).
 * 2. Sync (bench/sync.ts): the first sync, and webhook → deploy commit pushed for a one-spec change, at
 *    1,000 and 5,000 workspaces, against the git CLI doing the same passes.
 * 3. Agent (bench/agent.ts): the agent alone, in its own process as the chart runs it, idle and with
 *    1,000 Workspaces: peak RSS and time until all are Ready.
 * 4. CLI start-up (bench/startup.ts): `--help` and `validate` of one spec against `node -e 0`.
 * 5. Report (bench/report.ts): `report plan` for a pull request changing 1 of 1,000 workspaces, until the
 *    comment is posted, against one `synth` of the same tree.
 * 6. OCI (bench/oci.ts): adapter push and pull of 100 MiB and 1 GiB against docker-registry, time and peak
 *    RSS, with skopeo copy of the same content as the reference.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { shardNames } from '../src/render/index.ts';
import { findKubectl } from '../tests/support/kustomize.ts';
import { benchAgent } from './agent.ts';
import { benchReport } from './report.ts';
import { benchOci, printOciTable } from './oci.ts';
import { generateSpecs, writeSpecs } from './specs.ts';
import { benchStartup } from './startup.ts';
import { referenceProcess, synthProcess } from './synth-cli.ts';
import { benchSync } from './sync.ts';

const run = promisify(execFile);
const args = process.argv.slice(2);
const sizes = args.includes('--large') ? [100, 1000, 5000, 10000] : [100, 1000, 5000];
/** The cdk8s-plus reference is quadratic: 2,000 charts already take a minute. */
const REFERENCE_MAX = 2000;
/** One `kubectl kustomize` of a whole 5,000-workspace tree takes many minutes (quadratic). */
const WHOLE_TREE_KUSTOMIZE_MAX = 1000;

const ms = (v: number) => `${Math.round(v)}`;
const ratio = (a: number, b: number) => (a / b).toFixed(2);

/** Wall time and CPU time (user + system, from `/usr/bin/time`) of one `kubectl kustomize`. */
async function kustomize(kubectl: string, dir: string): Promise<{ ms: number; cpuMs: number }> {
  const env = { ...process.env };
  delete env['KUBECONFIG'];
  const started = performance.now();
  const { stderr } = await run('/usr/bin/time', ['-f', '%U %S', kubectl, 'kustomize', dir], {
    env,
    maxBuffer: 1 << 30,
  });
  const [user = NaN, system = NaN] = stderr.trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  return { ms: performance.now() - started, cpuMs: (user + system) * 1000 };
}

/** Every unit the Flux bootstrap points at (one per shard), built one after the other. */
async function kustomizeShards(kubectl: string, dir: string) {
  const inventory = JSON.parse(await readFile(join(dir, 'inventory.json'), 'utf8')) as { files: string[] };
  const shards = shardNames(inventory);
  let largestMs = 0;
  let cpuMs = 0;
  for (const shard of shards) {
    const built = await kustomize(kubectl, join(dir, 'shards', shard));
    largestMs = Math.max(largestMs, built.ms);
    cpuMs += built.cpuMs;
  }
  return { shards: shards.length, largestMs, cpuMs };
}

async function synthTable(): Promise<void> {
  const kubectl = findKubectl();
  const root = await mkdtemp(join(tmpdir(), 'kaito-gitops-bench-'));
  try {
    console.log(
      '| N | synth (ms) | peak RSS (MiB) | cdk8s-plus synth (ms) | ratio | shards | largest shard build (ms) | all shards, CPU (ms) | whole-tree build, CPU (ms) | shards / whole (CPU) |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const n of sizes) {
      const specs = join(root, `specs-${n}`);
      await writeSpecs(specs, await generateSpecs(n));
      const out = join(root, `out-${n}`);
      const synth = await synthProcess(specs, out);
      if (!synth.stdout.includes(`${n} workspaces: ${n} rendered`)) throw new Error(synth.stdout);
      const reference = n <= REFERENCE_MAX ? await referenceProcess(n, join(root, `ref-${n}`)) : undefined;
      const units = kubectl !== undefined ? await kustomizeShards(kubectl, out) : undefined;
      const whole =
        kubectl !== undefined && n <= WHOLE_TREE_KUSTOMIZE_MAX ? await kustomize(kubectl, out) : undefined;
      console.log(
        `| ${n} | ${ms(synth.ms)} | ${synth.peakRssMiB} | ${reference ? ms(reference.ms) : '-'} | ${
          reference ? ratio(synth.ms, reference.ms) : '-'
        } | ${units?.shards ?? '-'} | ${units ? ms(units.largestMs) : '-'} | ${units ? ms(units.cpuMs) : '-'} | ${
          whole ? ms(whole.cpuMs) : '-'
        } | ${units && whole ? ratio(units.cpuMs, whole.cpuMs) : '-'} |`,
      );
      await rm(join(root, `ref-${n}`), { recursive: true, force: true });
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

console.log(
  `# kaito-gitops benchmarks (${new Date().toISOString().slice(0, 10)}, temp files in ${tmpdir()})\n`,
);
if (!args.includes('--no-synth')) {
  console.log('## Synth: N spec files → Kustomize tree on disk, each side its own process\n');
  await synthTable();
}
if (!args.includes('--no-sync')) {
  console.log(
    '\n## Sync: first sync, and a webhook for a one-spec change → deploy commit pushed; reference: the git CLI\n',
  );
  console.log('| pass | p50 (ms) | p95 (ms) | runs | × git CLI (p50) |');
  console.log('|---|---|---|---|---|');
  for (const workspaces of [1000, 5000]) {
    const changes = Number(process.env['BENCH_SYNC_CHANGES'] ?? (workspaces > 1000 ? 5 : 10));
    const [first, firstReference, change, changeReference] = await benchSync(changes, workspaces);
    for (const [row, reference] of [
      [first, firstReference],
      [firstReference, undefined],
      [change, changeReference],
      [changeReference, undefined],
    ] as const) {
      if (row === undefined) continue;
      console.log(
        `| ${row.name} | ${ms(row.p50_ms)} | ${ms(row.p95_ms)} | ${row.runs} | ${
          reference === undefined ? '' : ratio(row.p50_ms, reference.p50_ms)
        } |`,
      );
    }
  }
}
if (!args.includes('--no-agent')) {
  console.log('\n## Agent: alone in its own process, as the chart runs it, against the API test server\n');
  const r = await benchAgent(1000);
  console.log(
    '| workspaces | peak RSS idle (MiB) | peak RSS (MiB) | start → all Ready (ms) | writes / workspace at steady state | requests / workspace at steady state |',
  );
  console.log('|---|---|---|---|---|---|');
  console.log(
    `| ${r.workspaces} | ${r.idleRssMiB} | ${r.peakRssMiB} | ${ms(r.readyMs)} | ${r.writesPerWorkspace} | ${r.requestsPerWorkspace} (${r.steadyStateResyncs} resyncs) |`,
  );
  console.log(`\nNODE_OPTIONS (the chart's): \`${r.nodeOptions}\``);
}
if (!args.includes('--no-startup')) {
  console.log('\n## CLI start-up: median of 15 runs each, interleaved, against `node -e 0`\n');
  console.log('| command | median (ms) | × node -e 0 | target |');
  console.log('|---|---|---|---|');
  for (const row of benchStartup())
    console.log(
      `| \`${row.name}\` | ${ms(row.medianMs)} | ${row.ratio.toFixed(2)} | ${row.target !== undefined ? `≤ ${row.target}` : ''} |`,
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
