/**
 * Git credentials and keeping them out of sight. Credentials come from the environment or from files
 * (a mounted Secret, a GitHub App token a sidecar refreshes), never from flags or URLs, and are sent as
 * an `Authorization: Basic` header. Repository URLs are read with the WHATWG URL parser (the one git
 * clients and browsers agree on) and refused when they carry any userinfo, so nothing from a URL's
 * userinfo can reach a log, a commit, an annotation or a metric label. Everything sync prints or throws
 * still goes through a {@link Redactor}: known secrets are masked, and so is the userinfo of any URL in
 * the text, found the way the URL parser splits an authority.
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

/**
 * A repository URL from the command line, as the URL parser normalizes it: http or https, and no
 * userinfo at all (not even an empty `https://@host`). The refusal never repeats the value, which may
 * hold a password.
 */
export function parseRepositoryUrl(raw: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new UsageError(`${flag} is not a URL; give the repository's https:// URL`, { cause: error });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${flag} must be an https:// (or http://) URL; isomorphic-git has no SSH transport`);
  }
  if (url.username !== '' || url.password !== '' || userinfoEnd(raw, raw.indexOf('//') + 2) !== undefined) {
    throw new UsageError(
      `${flag} must not carry credentials (a user or password before "@" in the URL); set KAITO_GITOPS_GIT_TOKEN or _PASSWORD instead`,
    );
  }
  return url.href;
}

/** `https://user:secret@host/x.git` → `https://host/x.git`, through the URL parser; non-URLs as they are. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}

/**
 * Where the userinfo of an authority starting at `start` ends (the index of its last `@`), the way the
 * WHATWG parser splits it: the authority runs to the first `/`, `\`, `?` or `#` (or the end of the
 * line), and spaces or tabs do not end it. Undefined when there is no `@`.
 */
function userinfoEnd(text: string, start: number): number | undefined {
  let end = start;
  while (end < text.length && !'/\\?#\n\r'.includes(text.charAt(end))) end++;
  const at = text.lastIndexOf('@', end - 1);
  return at >= start ? at : undefined;
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
    let out = '';
    let from = 0;
    for (const scheme of text.matchAll(/[a-z][a-z0-9+.-]*:\/\//gi)) {
      const start = scheme.index + scheme[0].length;
      if (start < from) continue;
      const at = userinfoEnd(text, start);
      if (at === undefined) continue;
      out += `${text.slice(from, start)}***`;
      from = at;
    }
    out += text.slice(from);
    for (const secret of this.#secrets) {
      for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) {
        if (form.length >= 4) out = out.split(form).join('***');
      }
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
