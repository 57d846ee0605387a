/** The sync's remote failures, as TransientErrors (the CLI exits 3) with credentials redacted. */
import { TransientError } from '../errors.ts';
import { redact } from './redact.ts';

/** A git remote failed (network, HTTP status, a branch that kept moving) after the retries. */
export class GitRemoteError extends TransientError {
  override name = 'GitRemoteError';
  /** HTTP status of the remote's answer, when it gave one. */
  readonly statusCode: number | undefined;

  constructor(
    message: string,
    options: { statusCode?: number; cause?: unknown; secrets?: readonly string[] } = {},
  ) {
    super(redact(message, options.secrets), undefined, { cause: options.cause });
    this.statusCode = options.statusCode;
  }
}

/** Is a git failure worth another attempt? Network failures and 5xx/429 are; 401/403/404 are not. */
export function isRetryable(statusCode: number | undefined): boolean {
  return statusCode === undefined || statusCode === 429 || statusCode >= 500;
}
