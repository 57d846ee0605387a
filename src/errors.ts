/**
 * The error taxonomy. Callers branch on the class, never on message text:
 *
 * - {@link SpecError}: the user must change a spec (or a preset file). Never retried; the CLI exits 1,
 *   sync keeps the workspace's last good output, the agent marks the Workspace `Stalled`.
 * - {@link NotReadyError}: nothing is wrong yet, look again later (a node still booting).
 * - {@link TransientError}: an outside system failed in a way that may pass (HTTP 5xx, 429, a rejected
 *   push); retry with backoff.
 * - {@link UsageError}: the command line is wrong; the CLI exits 2.
 */

/** One thing wrong with one input, located by a dotted path such as `inference.adapters[1].strength`. */
export interface Problem {
  /** Field path inside the document; empty for the document as a whole. */
  path: string;
  message: string;
}

export class KaitoGitopsError extends Error {
  override name = 'KaitoGitopsError';
}

/** The input is wrong; `problems` lists everything wrong with it at once. */
export class SpecError extends KaitoGitopsError {
  override name = 'SpecError';
  readonly file: string | undefined;
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], options: { file?: string; cause?: unknown } = {}) {
    super(formatProblems(problems, options.file), { cause: options.cause });
    this.file = options.file;
    this.problems = problems;
  }
}

/** Not an error in the input: the thing waited on is not there yet. */
export class NotReadyError extends KaitoGitopsError {
  override name = 'NotReadyError';
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number, options: { cause?: unknown } = {}) {
    super(message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A failure outside our control that may pass when tried again. */
export class TransientError extends KaitoGitopsError {
  override name = 'TransientError';
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, retryAfterSeconds?: number, options: { cause?: unknown } = {}) {
    super(message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The command line is wrong. */
export class UsageError extends KaitoGitopsError {
  override name = 'UsageError';
}

/** `file: path.to.field: message`, one problem per line. */
export function formatProblems(problems: readonly Problem[], file?: string): string {
  return problems
    .map((p) => [file, p.path, p.message].filter((part) => part !== undefined && part !== '').join(': '))
    .join('\n');
}
