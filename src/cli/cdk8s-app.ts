/**
 * Entry point for `npx cdk8s synth` (see cdk8s.yaml): the same pipeline as `kaito-gitops synth`,
 * rendering gitops/workspaces into the directory the cdk8s CLI names in CDK8S_OUTDIR. The cdk8s CLI
 * empties that directory first, so there is no previous tree to merge with.
 */
import { runProcess } from './main.ts';

await runProcess([
  'synth',
  '--workspaces',
  'gitops/workspaces',
  '--out',
  process.env['CDK8S_OUTDIR'] ?? 'dist',
]);
