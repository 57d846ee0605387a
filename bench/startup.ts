/**
 * CLI start-up benchmark: `kaito-gitops --help` and `validate` of one spec, each as a new process
 * through the package's executable (bin/kaito-gitops.js, as `npx kaito-gitops` runs it), against
 * `node -e 0` in the same loop. Runs interleave, so a noisy neighbour slows all of them alike; the
 * medians and their ratios to `node -e 0` are what count. The first round (filling Node's compile
 * cache and the catalog cache) is not counted: a user's first run pays it once.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');
const BIN = join(repo, 'bin', 'kaito-gitops.js');

export interface StartupRow {
  name: string;
  medianMs: number;
  /** median / median of `node -e 0` */
  ratio: number;
  /** The target for the ratio, when it has one. */
  target?: number;
}

const CASES: { name: string; args: string[]; target?: number }[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'kaito-gitops --help', args: [BIN, '--help'], target: 3 },
  { name: 'kaito-gitops --version', args: [BIN, '--version'] },
  {
    name: 'kaito-gitops validate (one spec)',
    args: [BIN, 'validate', join(repo, 'gitops', 'workspaces', 'phi-3-mini.yaml')],
    target: 5,
  },
];

export function benchStartup(runs = 15): StartupRow[] {
  const times = CASES.map(() => [] as number[]);
  for (let round = 0; round <= runs; round++) {
    CASES.forEach(({ args }, i) => {
      const started = performance.now();
      const result = spawnSync(process.execPath, args, { cwd: repo, stdio: 'ignore' });
      if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
      if (round > 0) times[i]?.push(performance.now() - started);
    });
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const base = median(times[0] ?? []);
  return CASES.map(({ name, target }, i) => {
    const medianMs = median(times[i] ?? []);
    return { name, medianMs, ratio: medianMs / base, ...(target !== undefined ? { target } : {}) };
  });
}

if (import.meta.main) console.table(benchStartup(Number(process.argv[2] ?? 15)));
