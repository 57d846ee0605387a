/**
 * The validation step of `npx cdk8s synth` (cdk8s.yaml `validations`), which reports the specs the app
 * refused. cdk8s-cli prints a stack trace whenever its app exits non-zero, so on this route the app
 * exits 0 after a refusal (the refused workspace keeps its last output, and each problem has been
 * printed on one line) and leaves those lines in a file keyed by the project directory; this plugin,
 * loaded by cdk8s-cli after the app, reads them and fails the run with a validation report (cdk8s-cli
 * exits 2), without a stack trace. Without refusals the file is absent and the step succeeds.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { userCacheDir } from './cache-dir.ts';

/** Where the app leaves the refusals of the project in `cwd` for the validation step. */
export function refusalsFileFor(cacheDir: string, cwd: string): string {
  return join(cacheDir, 'cdk8s', `${createHash('sha256').update(cwd).digest('hex').slice(0, 16)}.refused`);
}

/** The app's side: the one-line problems of a refused run, or none (the file removed). */
export function recordRefusals(file: string, lines: readonly string[]): void {
  if (lines.length === 0) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, lines.join('\n') + '\n');
}

/** What cdk8s-cli hands a validation plugin (cdk8s-cli's `ValidationContext`, the part used here). */
interface ValidationContext {
  report: {
    addViolation(violation: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: { resourceName: string; manifestPath: string; locations: string[] }[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
}

/** The plugin class cdk8s.yaml names. */
export class RefusedSpecs {
  validate(context: ValidationContext): Promise<void> {
    const file = refusalsFileFor(userCacheDir(process.env), process.cwd());
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // no refusals recorded: the app rendered every spec
    }
    const lines = text.split('\n').filter((line) => line !== '');
    if (lines.length > 0) {
      context.report.addViolation({
        ruleName: 'kaito-gitops refused these specs; each keeps its last good output until it is fixed',
        recommendation: 'fix each problem listed (file, field and what to change)',
        fix: 'edit the spec, then run npx cdk8s synth again (or npx kaito-gitops validate to check first)',
        violatingResources: [{ resourceName: 'specs', manifestPath: 'gitops/workspaces', locations: lines }],
      });
    }
    context.report.submit(lines.length > 0 ? 'failure' : 'success', {
      refused: String(lines.length),
    });
    return Promise.resolve();
  }
}
