/**
 * GitHub App authentication with `@octokit/auth-app`: the app's private key signs a short-lived JWT
 * (RS256), which buys an installation access token (valid one hour) for the API and for git over
 * HTTPS. Tokens are cached and minted again a margin before they expire, so a long-running agent or
 * sync server never sends an expired one. auth-app's own cache keeps tokens for a fixed 59 minutes;
 * ours reads each token's `expires_at`, which is what GitHub promises.
 */
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { Logger } from '../observe/index.ts';

export interface GitHubAppCredentials {
  appId: string;
  /** PEM (PKCS#1 or PKCS#8), as GitHub hands it out. */
  privateKey: string;
  installationId: number;
  /** Mint a new token this long before the current one expires. @default 300000 (5 minutes) */
  refreshMarginMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/**
 * The token cache auth-app consults before minting. auth-app stores each token as one string,
 * `token|createdAt|expiresAt|...`; an entry counts as missing from `margin` before its `expiresAt`
 * (and from 55 minutes after it was stored, should the format ever change).
 */
export class InstallationTokenCache {
  readonly #entries = new Map<string, { value: string; storedAt: number }>();
  readonly #marginMs: number;
  readonly #now: () => number;

  constructor(marginMs = 5 * 60_000, now: () => number = Date.now) {
    this.#marginMs = marginMs;
    this.#now = now;
  }

  /** The stored token, or '' (auth-app's "not cached") once it is due for a refresh. */
  get(key: string): string {
    const entry = this.#entries.get(key);
    if (entry === undefined) return '';
    const expiresAt = Date.parse(entry.value.split('|')[2] ?? '');
    const deadline = Number.isFinite(expiresAt) ? expiresAt : entry.storedAt + 60 * 60_000;
    if (this.#now() >= deadline - this.#marginMs) {
      this.#entries.delete(key);
      return '';
    }
    return entry.value;
  }

  set(key: string, value: string): void {
    this.#entries.set(key, { value, storedAt: this.#now() });
  }
}

/** Octokit constructor options that authenticate as the installation. */
export function githubAppAuthStrategy(credentials: GitHubAppCredentials, logger?: Logger) {
  return {
    authStrategy: createAppAuth,
    auth: {
      appId: credentials.appId,
      privateKey: credentials.privateKey,
      installationId: credentials.installationId,
      cache: new InstallationTokenCache(credentials.refreshMarginMs, credentials.now),
      log: { warn: (message: string) => logger?.log('warn', message) },
    },
  };
}

/**
 * A function returning a valid installation token, for clients that are not Octokit (git over HTTPS:
 * user `x-access-token`, the token as password). Each call returns the cached token or mints one.
 */
export function githubAppTokens(
  credentials: GitHubAppCredentials & { apiUrl?: string },
  logger?: Logger,
): () => Promise<string> {
  const auth = createAppAuth({
    ...githubAppAuthStrategy(credentials, logger).auth,
    request: new Octokit({
      baseUrl: (credentials.apiUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
      userAgent: 'kaito-gitops',
    }).request,
  });
  return async () => (await auth({ type: 'installation' })).token;
}
