/**
 * Synth as a user runs it: `kaito-gitops synth` of N spec files on disk into an empty directory, a new
 * process each time (start-up, reading specs, validation, planning, synthesis, writing the tree), and
 * in the same run the reference, a plain cdk8s-plus synth of N charts (`node bench/synth.ts
 * --reference N DIR`, also its own process). Each process reports its own peak RSS (bench/peak-rss.ts).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');

export interface ProcessRun {
  ms: number;
  peakRssMiB: number;
  stdout: string;
}

/** Runs `node <args>` with a preload that prints the process's peak RSS on exit (to fd 3). */
export async function timedProcess(args: string[], cwd = repo): Promise<ProcessRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', join(import.meta.dirname, 'peak-rss.ts'), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let rss = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => (rss += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`);
  return { ms, peakRssMiB: Math.round(Number(rss) / 1024), stdout };
}

export function synthProcess(specs: string, out: string): Promise<ProcessRun> {
  return timedProcess([join(repo, 'bin', 'kaito-gitops.js'), 'synth', '--workspaces', specs, '--out', out]);
}

export function referenceProcess(n: number, out: string): Promise<ProcessRun> {
  return timedProcess([join(import.meta.dirname, 'synth.ts'), '--reference', String(n), out]);
}
