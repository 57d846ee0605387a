/**
 * Registry failures, one class per thing a caller does differently about them (branch on the class,
 * never on the text). Every message is one line that names the registry and repository and carries the
 * registry's own words (`code: message` from its error body), because that is what a user needs to fix
 * a credential, a repository name or a quota.
 */
import { KaitoGitopsError } from '../errors.ts';

export interface RegistryErrorDetails {
  /** `host[:port]` of the registry. */
  registry: string;
  /** The repository the request was about, when there was one. */
  repository?: string;
  /** HTTP status of the last answer; undefined when there was no answer (connection refused, reset). */
  status?: number;
  /** The registry's error code (`UNAUTHORIZED`, `DENIED`, `NAME_UNKNOWN`, `TOOMANYREQUESTS`, ...). */
  code?: string;
  cause?: unknown;
}

export class RegistryError extends KaitoGitopsError {
  override name = 'RegistryError';
  readonly registry: string;
  readonly repository: string | undefined;
  readonly status: number | undefined;
  readonly code: string | undefined;

  constructor(message: string, details: RegistryErrorDetails) {
    super(message, { cause: details.cause });
    this.registry = details.registry;
    this.repository = details.repository;
    this.status = details.status;
    this.code = details.code;
  }
}

/** The registry did not accept who we are: no credentials, wrong ones, or an expired token (401). */
export class RegistryAuthError extends RegistryError {
  override name = 'RegistryAuthError';
}

/** We are known but not allowed to do this: pull or push to this repository (403, `DENIED`). */
export class RegistryDeniedError extends RegistryError {
  override name = 'RegistryDeniedError';
}

/** No such repository, tag, manifest or blob (404, `NAME_UNKNOWN`, `MANIFEST_UNKNOWN`, ...). */
export class RegistryNotFoundError extends RegistryError {
  override name = 'RegistryNotFoundError';
}

/**
 * A failure that may pass: 429, 5xx, a connection reset or refused, a timeout. Raised only after the
 * client's own retries ran out; `retryAfterSeconds` is the registry's last `Retry-After`, if it sent one.
 */
export class RegistryUnavailableError extends RegistryError {
  override name = 'RegistryUnavailableError';
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, details: RegistryErrorDetails & { retryAfterSeconds?: number }) {
    super(message, details);
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/**
 * What the registry served (or what we were asked to push) is not what it should be: a digest that does
 * not match, a manifest we cannot read, an image without adapter files, an unsafe path in a layer.
 */
export class RegistryContentError extends RegistryError {
  override name = 'RegistryContentError';
}

/** A docker config file we cannot use: unreadable, not JSON, or pointing at a credential helper. */
export class RegistryCredentialsError extends KaitoGitopsError {
  override name = 'RegistryCredentialsError';
}
