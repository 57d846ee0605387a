/**
 * Registry authentication as Docker's clients do it. A 401 carries `WWW-Authenticate`:
 *
 * - `Basic realm=...`: send the credential as basic auth (docker-registry with htpasswd, ECR).
 * - `Bearer realm=...,service=...,scope=...`: get a token from the realm for the scopes the operation
 *   needs (`repository:<name>:pull` or `pull,push`), with basic auth when there is a credential
 *   (GET, Docker's token protocol), or `grant_type=refresh_token` when the credential is an identity
 *   token (POST, the OAuth2 form ACR's `az acr login` tokens use); anonymous otherwise (public images on
 *   Docker Hub, GHCR). Tokens are cached per scope until shortly before they expire.
 *
 * Once a registry has challenged us, later requests carry the right header from the start.
 */
import { RegistryAuthError, RegistryDeniedError, RegistryUnavailableError, RegistryError } from './errors.ts';
import type { Credential, CredentialSource } from './credentials.ts';
import { readBody, sendOnce, type HttpAgents } from './http-request.ts';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="...",service="..."`; the parameter names are lowercased. */
export function parseChallenge(value: string): Challenge | undefined {
  const match = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(value);
  if (match === null) return undefined;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/g;
  for (const m of (match[2] ?? '').matchAll(pattern)) {
    params[(m[1] ?? '').toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return { scheme: (match[1] ?? '').toLowerCase(), params };
}

/** `repository:<name>:<actions>` scopes an operation needs; the first one names the repository. */
export type Scopes = readonly string[];

export function repositoryScope(repository: string, actions: 'pull' | 'pull,push'): string {
  return `repository:${repository}:${actions}`;
}

type Scheme = { kind: 'basic' } | { kind: 'bearer'; realm: string; service: string | undefined };

interface Token {
  value: string;
  expiresAt: number;
}

/** Seconds before a token's expiry at which it is no longer used. */
const EXPIRY_MARGIN_MS = 10_000;

export class Authenticator {
  private readonly schemes = new Map<string, Scheme>();
  private readonly tokens = new Map<string, Token>();
  private readonly credentials: CredentialSource;
  private readonly agents: HttpAgents;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: {
    credentials: CredentialSource;
    agents: HttpAgents;
    timeoutMs: number;
    now?: () => number;
  }) {
    this.credentials = options.credentials;
    this.agents = options.agents;
    this.timeoutMs = options.timeoutMs;
    this.now = options.now ?? Date.now;
  }

  /**
   * The Authorization header for a request, when one is known without asking the registry; a bearer
   * scheme seen before gets its token now, so the request itself is not refused first.
   */
  async header(registry: string, scopes: Scopes): Promise<string | undefined> {
    const scheme = this.schemes.get(registry);
    if (scheme === undefined) return undefined;
    if (scheme.kind === 'basic') return this.basicHeader(registry);
    const cached = this.tokens.get(tokenKey(registry, scopes));
    if (cached !== undefined && cached.expiresAt > this.now()) return `Bearer ${cached.value}`;
    return `Bearer ${await this.fetchToken(registry, scheme, scopes)}`;
  }

  /**
   * Learns from a 401's challenge. Returns false when it cannot help (no challenge we understand, or
   * basic auth without a credential), so the caller reports the 401.
   */
  async challenged(registry: string, value: string | undefined, scopes: Scopes): Promise<boolean> {
    const challenge = value === undefined ? undefined : parseChallenge(value);
    if (challenge?.scheme === 'basic') {
      this.schemes.set(registry, { kind: 'basic' });
      return this.basicHeader(registry) !== undefined;
    }
    if (challenge?.scheme === 'bearer' && challenge.params['realm']) {
      const scheme: Scheme = {
        kind: 'bearer',
        realm: challenge.params['realm'],
        service: challenge.params['service'],
      };
      this.schemes.set(registry, scheme);
      const challengeScope = challenge.params['scope'];
      const wanted = scopes.length > 0 ? scopes : challengeScope ? [challengeScope] : [];
      this.tokens.delete(tokenKey(registry, wanted));
      await this.fetchToken(registry, scheme, wanted);
      return true;
    }
    return false;
  }

  /** Whether a credential was offered for this registry (to word a 401 right). */
  hasCredential(registry: string): boolean {
    return this.credential(registry) !== undefined;
  }

  private credential(registry: string): Credential | undefined {
    return this.credentials.lookup(registry);
  }

  private basicHeader(registry: string): string | undefined {
    const credential = this.credential(registry);
    if (credential?.username === undefined) return undefined;
    return `Basic ${Buffer.from(`${credential.username}:${credential.password ?? ''}`).toString('base64')}`;
  }

  private async fetchToken(
    registry: string,
    scheme: Extract<Scheme, { kind: 'bearer' }>,
    scopes: Scopes,
  ): Promise<string> {
    const credential = this.credential(registry);
    const url = new URL(scheme.realm);
    const headers: Record<string, string> = { accept: 'application/json' };
    let method: 'GET' | 'POST' = 'GET';
    let body: Buffer | undefined;
    if (credential?.identityToken !== undefined) {
      method = 'POST';
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'kaito-gitops',
        refresh_token: credential.identityToken,
      });
      if (scheme.service !== undefined) form.set('service', scheme.service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      body = Buffer.from(form.toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (scheme.service !== undefined) url.searchParams.set('service', scheme.service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      const basic = this.basicHeader(registry);
      if (basic !== undefined) headers['authorization'] = basic;
    }
    const where = `${registry}: token service ${url.origin}${url.pathname}`;
    let res;
    try {
      res = await sendOnce({ method, url, headers, ...(body && { body }) }, this.agents, this.timeoutMs);
    } catch (error) {
      throw new RegistryUnavailableError(`${where} did not answer (${(error as Error).message})`, {
        registry,
        cause: error,
      });
    }
    const text = (await readBody(res, 1 << 20).catch(() => Buffer.alloc(0))).toString('utf8');
    const status = res.statusCode ?? 0;
    if (status === 401) {
      throw new RegistryAuthError(
        `${where} refused the ${credential ? 'credentials' : 'anonymous request'} (401${reason(text)})${
          credential ? '' : `; no credentials were given for ${registry}`
        }`,
        { registry, status },
      );
    }
    if (status === 403)
      throw new RegistryDeniedError(`${where} denied access (403${reason(text)})`, { registry, status });
    if (status === 429 || status >= 500) {
      throw new RegistryUnavailableError(`${where} answered ${status}${reason(text)}`, { registry, status });
    }
    let json: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new RegistryError(`${where} answered ${status} without a token`, { registry, status });
    }
    const token = typeof json.token === 'string' ? json.token : json.access_token;
    if (status !== 200 || typeof token !== 'string' || token === '') {
      throw new RegistryError(`${where} answered ${status} without a token${reason(text)}`, {
        registry,
        status,
      });
    }
    const expiresIn = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 60;
    this.tokens.set(tokenKey(registry, scopes), {
      value: token,
      expiresAt: this.now() + expiresIn * 1000 - EXPIRY_MARGIN_MS,
    });
    return token;
  }
}

function tokenKey(registry: string, scopes: Scopes): string {
  return `${registry} ${[...scopes].sort().join(' ')}`;
}

/** `: <error text>` from a token service's body (`{"details": ...}` or `{"errors": [...]}`), if any. */
function reason(text: string): string {
  try {
    const json = JSON.parse(text) as { details?: unknown; error?: unknown; errors?: { message?: unknown }[] };
    const message = json.errors?.[0]?.message ?? json.details ?? json.error;
    return typeof message === 'string' && message !== '' ? `: ${message}` : '';
  } catch {
    const line = text.trim().split('\n')[0] ?? '';
    return line !== '' && line.length < 200 ? `: ${line}` : '';
  }
}
