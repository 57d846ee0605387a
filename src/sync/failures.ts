/**
 * What a failed sync pass means, decided in one place: a remote's answer or the network (retry, or
 * give up with exit 3), the project's own errors (as they are), or neither, which is what a damaged
 * clone cache looks like (a truncated pack, a missing object), so the cache is moved aside and cloned
 * again once.
 */
import { Errors } from 'isomorphic-git';
import { KaitoGitopsError, RemoteRefusedError, TransientError, errnoCode } from '../errors.ts';
import { GitTimeoutError } from './git-http-client.ts';

/** Connection failures worth another attempt. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Thrown by a pass that moved a damaged clone cache aside: the caller tries again from a fresh clone. */
export class CacheMovedAside extends Error {
  override name = 'CacheMovedAside';
  constructor(options: { cause: unknown }) {
    super('the clone cache was moved aside', options);
  }
}

/**
 * A failure in the taxonomy: timeouts, network failures and 5xx/429/408 are TransientErrors; other
 * HTTP answers (auth, no such repository) and git's own errors are RemoteRefusedErrors; the project's
 * own errors and bugs stay as they are. `where` turns a detail into the message (naming the remote,
 * redacted, on one line).
 */
export function classifyFailure(error: unknown, where: (detail: string) => string): unknown {
  if (error instanceof KaitoGitopsError && !(error instanceof GitTimeoutError)) return error;
  if (error instanceof GitTimeoutError) {
    return new TransientError(where(`${describe(error)}; check that the URL answers`), undefined, {
      cause: error,
    });
  }
  if (error instanceof Errors.HttpError) {
    const { statusCode, statusMessage } = error.data;
    if (statusCode >= 500 || statusCode === 429 || statusCode === 408) {
      return new TransientError(where(describe(error)), undefined, { cause: error });
    }
    const hint =
      statusCode === 401 || statusCode === 403
        ? '; check the credentials in KAITO_GITOPS_GIT_TOKEN / _TOKEN_FILE / _USERNAME / _PASSWORD'
        : '';
    return new RemoteRefusedError(where(`git remote answered ${statusCode} ${statusMessage}${hint}`), {
      cause: error,
    });
  }
  const code = networkCode(error);
  if (code !== undefined) {
    return new TransientError(where(`${describe(error)} (${code})`), undefined, { cause: error });
  }
  if (isGitError(error)) return new RemoteRefusedError(where(describe(error)), { cause: error });
  return error;
}

/** Errors a remote call ends with that say something about the remote (its answer, the network). */
export function isRemoteFailure(error: unknown): boolean {
  if (error instanceof GitTimeoutError || error instanceof Errors.HttpError) return true;
  if (networkCode(error) !== undefined) return true;
  return (
    error instanceof Errors.SmartHttpError ||
    error instanceof Errors.EmptyServerResponseError ||
    error instanceof Errors.RemoteCapabilityError ||
    error instanceof Errors.UnknownTransportError ||
    error instanceof Errors.UrlParseError ||
    error instanceof Errors.UserCanceledError ||
    error instanceof TypeError // fetch failed before any answer
  );
}

/**
 * A failure that may come from a damaged clone (a truncated pack, a missing object, a half-written
 * ref): anything that is neither one of the project's errors nor a remote's answer.
 */
export function mayBeDamage(error: unknown): boolean {
  return !(error instanceof KaitoGitopsError) && !isRemoteFailure(error);
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The system error code of a connection failure, on the error or (for fetch) its cause. */
function networkCode(error: unknown): string | undefined {
  const code = errnoCode(error) ?? errnoCode((error as { cause?: unknown } | undefined)?.cause);
  return code !== undefined && TRANSIENT_CODES.has(code) ? code : undefined;
}

function isGitError(error: unknown): error is Error {
  return (Object.values(Errors) as unknown[]).some(
    (type) => typeof type === 'function' && error instanceof type,
  );
}
