/**
 * Git credentials and keeping them out of sight. Credentials come from the environment or from files
 * (a mounted Secret, a GitHub App token a sidecar refreshes), never from flags, and are sent as an
 * `Authorization: Basic` header. Everything sync prints or throws goes through a {@link Redactor}:
 * known secrets are masked, and so is any userinfo in a URL.
 */
import { UsageError } from '../errors.ts';

/** HTTP basic auth. A token is `{ username: "x-access-token", password: token }` (GitHub App convention). */
export interface GitCredentials {
  username: string;
  password: string;
}

/** Resolved before each pass, so a rotated token file is picked up without a restart. */
export type CredentialSource = () => Promise<GitCredentials | undefined>;

/** @default username for a token: GitHub App installation tokens want `x-access-token`; PATs accept it. */
export const TOKEN_USERNAME = 'x-access-token';

export function authorizationHeader(credentials: GitCredentials | undefined): Record<string, string> {
  if (credentials === undefined) return {};
  const encoded = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return { Authorization: `Basic ${encoded}` };
}

/** `https://user:secret@host/x.git` → `https://host/x.git`; anything that is not a URL is returned as is. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

/** Masks secrets and URL userinfo in any text that leaves the process (logs, errors, results). */
export class Redactor {
  readonly #secrets: string[];

  constructor(secrets: readonly (string | undefined)[] = []) {
    this.#secrets = secrets.filter((s): s is string => s !== undefined && s.length >= 4);
  }

  /** Adds secrets learned later (a token read from a file). */
  add(...secrets: (string | undefined)[]): void {
    for (const secret of secrets) {
      if (secret !== undefined && secret.length >= 4 && !this.#secrets.includes(secret))
        this.#secrets.push(secret);
    }
  }

  redact(text: string): string {
    let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s"']*@/gi, '$1***@');
    for (const secret of this.#secrets) {
      out = out.split(secret).join('***');
      const encoded = Buffer.from(secret).toString('base64');
      if (encoded.length >= 8) out = out.split(encoded).join('***');
    }
    return out;
  }
}

/** Where credentials for one repository come from; see {@link credentialSourceFrom}. */
export interface CredentialSettings {
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  passwordFile?: string;
}

/**
 * Environment variables for one role (`prefix` is `KAITO_GITOPS_GIT` for both repositories, or
 * `KAITO_GITOPS_TARGET_GIT` to give the deploy repository its own): `_TOKEN`, `_TOKEN_FILE`,
 * `_USERNAME`, `_PASSWORD`, `_PASSWORD_FILE`. Returns undefined when none is set.
 */
export function credentialSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  prefix: string,
): CredentialSettings | undefined {
  const read = (name: string) => {
    const value = env[`${prefix}_${name}`];
    return value === undefined || value === '' ? undefined : value;
  };
  const settings: CredentialSettings = {};
  const token = read('TOKEN');
  const tokenFile = read('TOKEN_FILE');
  const username = read('USERNAME');
  const password = read('PASSWORD');
  const passwordFile = read('PASSWORD_FILE');
  if (token !== undefined) settings.token = token;
  if (tokenFile !== undefined) settings.tokenFile = tokenFile;
  if (username !== undefined) settings.username = username;
  if (password !== undefined) settings.password = password;
  if (passwordFile !== undefined) settings.passwordFile = passwordFile;
  if (Object.keys(settings).length === 0) return undefined;
  const secrets = [token, tokenFile, password, passwordFile].filter((v) => v !== undefined).length;
  if (secrets > 1) {
    throw new UsageError(
      `set only one of ${prefix}_TOKEN, ${prefix}_TOKEN_FILE, ${prefix}_PASSWORD and ${prefix}_PASSWORD_FILE`,
    );
  }
  if (secrets === 0) throw new UsageError(`${prefix}_USERNAME is set without a token or password`);
  if ((password !== undefined || passwordFile !== undefined) && username === undefined) {
    throw new UsageError(`${prefix}_PASSWORD needs ${prefix}_USERNAME`);
  }
  return settings;
}

/**
 * A source that reads files on every call (tokens rotate) and tells `redactor` each secret it sees.
 * `readFile` is passed in so the library does no I/O of its own choosing.
 */
export function credentialSourceFrom(
  settings: CredentialSettings | undefined,
  readFile: (path: string) => Promise<string>,
  redactor: Redactor,
): CredentialSource {
  redactor.add(settings?.token, settings?.password);
  return async () => {
    if (settings === undefined) return undefined;
    const fromFile = async (path: string) => {
      const value = (await readFile(path)).trim();
      if (value === '') throw new UsageError(`credential file ${path} is empty`);
      redactor.add(value);
      return value;
    };
    if (settings.token !== undefined || settings.tokenFile !== undefined) {
      const token = settings.token ?? (await fromFile(settings.tokenFile ?? ''));
      return { username: settings.username ?? TOKEN_USERNAME, password: token };
    }
    const password = settings.password ?? (await fromFile(settings.passwordFile ?? ''));
    return { username: settings.username ?? '', password };
  };
}
