/**
 * Entry point for `npx cdk8s synth` (see cdk8s.yaml): the same `synth` as `kaito-gitops synth`,
 * rendering gitops/workspaces into the directory the cdk8s CLI names in CDK8S_OUTDIR. The cdk8s CLI
 * empties that directory before it starts this app; the previous output is put back first (from git
 * HEAD, or the copy kept after the last run; see cdk8s-previous.ts), so a refused spec keeps its last
 * good output and an empty source removes nothing on this route too.
 */
import { resolve } from 'node:path';
import { runProcess } from './main.ts';
import { userCacheDir } from './cache-dir.ts';
import { copyDirFor, keepCopy, restorePrevious } from './cdk8s-previous.ts';
import { recordRefusals, refusalsFileFor } from './cdk8s-validation.ts';

const out = resolve(process.env['CDK8S_OUTDIR'] ?? 'dist');
const copy = copyDirFor(userCacheDir(process.env), out);

try {
  await restorePrevious(out, process.cwd(), copy);
} catch (error) {
  process.stderr.write(
    `kaito-gitops (cdk8s synth): cannot put the previous output back into ${out}: ${(error as Error).message}\n`,
  );
  process.exit(3);
}
const problems: string[] = [];
await runProcess(['synth', '--workspaces', 'gitops/workspaces', '--out', out], (text) =>
  problems.push(...text.split('\n').filter((line) => line !== '' && !line.startsWith('warning: '))),
);
if (process.exitCode === 0 || process.exitCode === 1) {
  try {
    keepCopy(out, copy);
  } catch (error) {
    process.stderr.write(`warning: cannot keep a copy of ${out} in ${copy}: ${(error as Error).message}\n`);
  }
  // A refusal (exit 1) is reported by the validation step (cdk8s-validation.ts), which fails the run
  // without the stack trace cdk8s-cli prints for any non-zero exit of its app.
  try {
    recordRefusals(
      refusalsFileFor(userCacheDir(process.env), process.cwd()),
      process.exitCode === 1 ? problems : [],
    );
    process.exitCode = 0;
  } catch (error) {
    process.stderr.write(
      `kaito-gitops (cdk8s synth): cannot record the refused specs: ${(error as Error).message}\n`,
    );
  }
}
