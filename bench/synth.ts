/**
 * Synthesis benchmark: N mixed Workspaces through synthesize → render → writeTree into a temp
 * directory, against a plain cdk8s-plus-28 synthesis of the same count in the same process (one
 * Chart per Workspace with a ConfigMap, a Deployment with a GPU patch, toleration and affinity, and
 * a Service; `app.synth()` to a temp directory), the way cdk8s apps are usually written.
 *
 * `node bench/synth.ts [--dir /dev/shm] [N ...]` prints a table; `benchSynth` is what a runner calls.
 * Plans come from the test fixture builder unless `makeInput` is given (the real catalog, once wired).
 *
 * The reference is quadratic: `app.synth()` calls `chart.toJson()` per chart, and each call resolves
 * dependencies and validates the whole App (measured here: 500 charts 1.6 s, 1,000 about 5–11 s,
 * 2,000 63 s), so it is skipped above `referenceMaxN`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Chart, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { SourceObject } from '../src/api/types.ts';
import type { WorkspacePlan } from '../src/catalog/types.ts';
import { renderTree, writeTree } from '../src/render/index.ts';
import { synthesizeAll } from '../src/synth/index.ts';
import { mixedPlans, mixedSourceObjects } from '../tests/support/plans.ts';

export interface BenchInput {
  plans: WorkspacePlan[];
  sourceObjects: SourceObject[];
}

export interface PhaseTimes {
  synthMs: number;
  renderMs: number;
  writeMs: number;
  totalMs: number;
  files: number;
  rssMiB: number;
}

export interface BenchResult {
  n: number;
  pipeline: PhaseTimes;
  /** Undefined when N is above `referenceMaxN`. */
  reference?: { totalMs: number; rssMiB: number };
  /** pipeline total / reference total (below 1 is faster); undefined without a reference. */
  ratio?: number;
}

export interface BenchOptions {
  /** Builds the input for N Workspaces. @default mixed fixture plans (preset, adapters, multi-node, template, tuning) */
  makeInput?: (n: number) => BenchInput;
  /**
   * Where the temp directories go. File creation dominates on a slow disk (a VM's ext4 can take
   * 0.3–1 ms per file), so compare with a tmpfs such as /dev/shm to see the pipeline's own cost.
   * @default os.tmpdir()
   */
  baseDir?: string;
  /** Largest N the cdk8s-plus reference runs for (it is quadratic). @default 2000 */
  referenceMaxN?: number;
}

const rssMiB = () => Math.round(process.memoryUsage().rss / 2 ** 20);

/** The kaito-gitops pipeline for `n` Workspaces, written into a fresh temp directory. */
export function runPipeline(input: BenchInput, dir: string): PhaseTimes {
  const start = performance.now();
  const result = synthesizeAll(input.plans, input.sourceObjects);
  const synthesized = performance.now();
  const tree = renderTree(result.workspaces);
  const rendered = performance.now();
  writeTree(dir, tree);
  const written = performance.now();
  return {
    synthMs: synthesized - start,
    renderMs: rendered - synthesized,
    writeMs: written - rendered,
    totalMs: written - start,
    files: tree.size,
    rssMiB: rssMiB(),
  };
}

/** The usual cdk8s-plus way: L2 constructs, one chart per Workspace, `app.synth()` writes the files. */
export function runReference(n: number, dir: string): { totalMs: number; rssMiB: number } {
  const start = performance.now();
  const app = new App({ outdir: dir, recordConstructMetadata: false });
  for (let i = 0; i < n; i++) {
    const name = `ws-${String(i).padStart(5, '0')}`;
    const chart = new Chart(app, name, { namespace: `team-${i % 10}`, disableResourceNameHashes: true });
    const config = new kplus.ConfigMap(chart, 'config', {
      metadata: { name: `${name}-config` },
      data: { 'inference_config.yaml': 'vllm:\n  max-model-len: 4096\n' },
    });
    const deployment = new kplus.Deployment(chart, 'deployment', {
      metadata: { name },
      replicas: 1,
      containers: [
        {
          name,
          image: 'mcr.microsoft.com/aks/kaito/kaito-base:0.0.5',
          command: ['/bin/sh', '-c', 'python3 /workspace/vllm/inference_api.py --served-model-name=phi-3'],
          portNumber: 5000,
          resources: {
            cpu: { request: kplus.Cpu.units(4), limit: kplus.Cpu.units(8) },
            memory: { request: Size.gibibytes(16), limit: Size.gibibytes(32) },
          },
          volumeMounts: [
            { path: '/mnt/config', volume: kplus.Volume.fromConfigMap(chart, 'config-volume', config) },
          ],
        },
      ],
    });
    deployment.scheduling.tolerate(
      kplus.Node.tainted(kplus.NodeTaintQuery.exists('sku', { effect: kplus.TaintEffect.NO_SCHEDULE })),
    );
    deployment.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.is('apps', name)));
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.add(
        '/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu',
        kplus.k8s.Quantity.fromNumber(1),
      ),
      JsonPatch.add(
        '/spec/template/spec/containers/0/resources/requests/nvidia.com~1gpu',
        kplus.k8s.Quantity.fromString('1'),
      ),
    );
    deployment.exposeViaService({ name, ports: [{ port: 80, targetPort: 5000 }] });
  }
  app.synth();
  return { totalMs: performance.now() - start, rssMiB: rssMiB() };
}

export async function benchSynth(n: number, options: BenchOptions = {}): Promise<BenchResult> {
  const makeInput =
    options.makeInput ??
    ((count: number) => ({ plans: mixedPlans(count), sourceObjects: mixedSourceObjects(count) }));
  const input = makeInput(n);
  const root = await mkdtemp(join(options.baseDir ?? tmpdir(), 'kaito-gitops-bench-'));
  try {
    const pipeline = runPipeline(input, join(root, 'pipeline'));
    if (n > (options.referenceMaxN ?? 2000)) return { n, pipeline };
    const reference = runReference(n, join(root, 'reference'));
    return { n, pipeline, reference, ratio: pipeline.totalMs / reference.totalMs };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function formatRow(r: BenchResult): string {
  const p = r.pipeline;
  const ms = (v: number) => `${Math.round(v)}`.padStart(6);
  return [
    `${r.n}`.padStart(6),
    ms(p.totalMs),
    ms(p.synthMs),
    ms(p.renderMs),
    ms(p.writeMs),
    `${p.files}`.padStart(6),
    `${p.rssMiB}`.padStart(5),
    r.reference === undefined ? '     -' : ms(r.reference.totalMs),
    `${r.reference?.rssMiB ?? '-'}`.padStart(5),
    (r.ratio?.toFixed(2) ?? '-').padStart(6),
  ].join(' | ');
}

if (import.meta.main && process.argv[2] === '--reference') {
  // node bench/synth.ts --reference N DIR: the reference alone, as its own process (bench/synth-cli.ts).
  runReference(Number(process.argv[3]), process.argv[4] ?? join(tmpdir(), 'kaito-gitops-reference'));
} else if (import.meta.main) {
  // node bench/synth.ts [--dir /dev/shm] [N ...]
  const args = process.argv.slice(2);
  const dirAt = args.indexOf('--dir');
  const baseDir = dirAt === -1 ? undefined : args.splice(dirAt, 2)[1];
  const counts = args.map(Number);
  // Warm both paths up (module loading, JIT) so the first measured N is not penalized.
  await benchSynth(20, { baseDir });
  console.log(`temp directories in ${baseDir ?? tmpdir()}; times in ms, RSS in MiB after each run`);
  console.log('     N |  total |  synth | render |  write |  files |  RSS | cdk8s+ |  RSS |  ratio');
  for (const n of counts.length > 0 ? counts : [100, 1000])
    console.log(formatRow(await benchSynth(n, { baseDir })));
}
