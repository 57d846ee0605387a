/**
 * The error taxonomy. Callers branch on the class, never on message text, and each class has one
 * handling everywhere:
 *
 * - {@link SpecError}: the user must change a spec (or a preset file). Never retried; the CLI exits 1,
 *   sync keeps the workspace's last good output, the agent marks the Workspace `Stalled`.
 * - {@link NotReadyError}: nothing is wrong, something waited on is not there yet (a ConfigMap applied in
 *   the same sync, a node still booting). Thrown where the wait is noticed; the agent writes `Reconciling`
 *   and looks again after `retryAfterSeconds` (a requeue, not a backoff, and not counted as a failure).
 * - {@link TransientError}: an outside system failed in a way that may pass (HTTP 5xx, 429, a dropped
 *   connection, a 409 on a stale resourceVersion); retried with jittered exponential backoff, never
 *   sooner than `retryAfterSeconds` when the system said so. Sync gives up after its attempts with a
 *   {@link RetriesExhaustedError}; the agent keeps retrying.
 * - {@link RemoteRefusedError}: an outside system refused for a reason retrying cannot fix (401/403, no
 *   such repository or branch). Not retried; the CLI exits 3.
 * - {@link RetriesExhaustedError}: transient failures outlasted every attempt. The CLI exits 3.
 * - {@link UsageError}: the command line is wrong; the CLI exits 2.
 * - {@link EnvironmentError}: something outside kaito-gitops (a directory, a file, the disk) is not as
 *   the command needs it; the CLI exits 3 with one line naming it.
 * - {@link InterruptedError}: SIGINT or SIGTERM arrived before the command wrote anything; exit 130.
 *
 * Anything else is a bug (the CLI exits 70 with the stack).
 */

/** One thing wrong with one input, located by a dotted path such as `inference.adapters[1].strength`. */
export interface Problem {
  /** Field path inside the document; empty for the document as a whole. */
  path: string;
  message: string;
  /** 1-based line and column in the source file, when the problem was located there. */
  line?: number;
  column?: number;
}

/** Where a spec error is: its file as the user named it, the document in it, the Workspace it defines. */
export interface SpecLocation {
  file?: string;
  /** 0-based index of the document in the file (messages show it 1-based). */
  document?: number;
  /** Kind of that document, when it could be read. */
  kind?: string;
  namespace?: string;
  name?: string;
}

export class KaitoGitopsError extends Error {
  override name = 'KaitoGitopsError';
}

/** The input is wrong; `problems` lists everything wrong with it at once. */
export class SpecError extends KaitoGitopsError {
  override name = 'SpecError';
  readonly file: string | undefined;
  /** 0-based index of the YAML document in `file` the problems belong to, when known. */
  readonly document: number | undefined;
  readonly kind: string | undefined;
  readonly namespace: string | undefined;
  readonly workspace: string | undefined;
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], options: SpecLocation & { cause?: unknown } = {}) {
    super(formatProblems(problems, options), { cause: options.cause });
    this.file = options.file;
    this.document = options.document;
    this.kind = options.kind;
    this.namespace = options.namespace;
    this.workspace = options.name;
    this.problems = problems;
  }

  /** Where this error is, as given to the constructor. */
  get location(): SpecLocation {
    const { file, document, kind, namespace, workspace: name } = this;
    return { file, document, kind, namespace, name };
  }
}

/** Not an error in the input: the thing waited on is not there yet; look again after `retryAfterSeconds`. */
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

/** An outside system (a git remote) refused for good: wrong credentials, no such repository or branch. */
export class RemoteRefusedError extends KaitoGitopsError {
  override name = 'RemoteRefusedError';
}

/** Transient failures outlasted every attempt; `cause` is the last one when there was an error. */
export class RetriesExhaustedError extends KaitoGitopsError {
  override name = 'RetriesExhaustedError';
  readonly attempts: number;

  constructor(message: string, attempts: number, options: { cause?: unknown } = {}) {
    super(message, options);
    this.attempts = attempts;
  }
}

/** The command line is wrong. */
export class UsageError extends KaitoGitopsError {
  override name = 'UsageError';
}

/** A directory, file or disk is not as the command needs it (not writable, not a directory, full). */
export class EnvironmentError extends KaitoGitopsError {
  override name = 'EnvironmentError';
}

/** The process was asked to stop (SIGINT/SIGTERM) before the command changed anything. */
export class InterruptedError extends KaitoGitopsError {
  override name = 'InterruptedError';
}

/**
 * The one line a problem is shown as: `file:line:column: subject: path.to.field: message`, where the
 * subject is the Workspace (`Workspace prod/llama`) or, for other documents, `document 2 (Secret)`.
 * Parts that are unknown are left out; `location` may be just the file name.
 */
export function formatProblem(problem: Problem, location: string | SpecLocation = {}): string {
  const at = typeof location === 'string' ? { file: location } : location;
  const subject =
    at.name !== undefined
      ? `Workspace ${at.namespace ?? 'default'}/${at.name}`
      : at.document !== undefined
        ? `document ${at.document + 1}${at.kind === undefined ? '' : ` (${at.kind})`}`
        : undefined;
  const place =
    at.file === undefined || at.file === ''
      ? undefined
      : problem.line === undefined
        ? at.file
        : `${at.file}:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
  return [place, subject, problem.path, problem.message]
    .filter((part) => part !== undefined && part !== '')
    .join(': ');
}

/** {@link formatProblem}, one problem per line. */
export function formatProblems(problems: readonly Problem[], location: string | SpecLocation = {}): string {
  return problems.map((p) => formatProblem(p, location)).join('\n');
}

/** The `code` of a Node.js system error (`ENOENT`, `ECONNRESET`, …); undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

const SYSTEM_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  ENOENT: 'no such file or directory',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
};

/** True for an error the operating system raised (it carries `syscall` and a string `code`). */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    typeof (error as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** `permission denied (EACCES)` for a system error; the message for anything else. */
export function systemErrorText(error: unknown): string {
  if (isSystemError(error)) return `${SYSTEM_ERRORS[error.code] ?? error.code.toLowerCase()} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
