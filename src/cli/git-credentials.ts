/**
 * Git credentials from the environment, read once here at the edge and passed to sync as data (never
 * from flags, which show up in `ps` and shell history, nor from URLs, which show up in logs).
 *
 * - `KAITO_GITOPS_GIT_TOKEN` (or `KAITO_GITOPS_GIT_TOKEN_FILE`): a token, sent as the password of user
 *   `KAITO_GITOPS_GIT_USERNAME`, default `x-access-token` (what GitHub App installation tokens need;
 *   GitHub personal access tokens work with it too).
 * - `KAITO_GITOPS_GIT_USERNAME` + `KAITO_GITOPS_GIT_PASSWORD` (or `KAITO_GITOPS_GIT_PASSWORD_FILE`).
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import type { GitCredentials } from '../sync/index.ts';
import { redactUrl } from '../sync/index.ts';

export const GITHUB_APP_USERNAME = 'x-access-token';

export async function gitCredentials(
  env: Readonly<Record<string, string | undefined>>,
): Promise<GitCredentials | undefined> {
  const token = await secret(env, 'KAITO_GITOPS_GIT_TOKEN');
  const password = await secret(env, 'KAITO_GITOPS_GIT_PASSWORD');
  const username = env['KAITO_GITOPS_GIT_USERNAME'];
  if (token !== undefined && password !== undefined) {
    throw new UsageError('set KAITO_GITOPS_GIT_TOKEN or KAITO_GITOPS_GIT_PASSWORD, not both');
  }
  if (token !== undefined) return { username: username || GITHUB_APP_USERNAME, password: token };
  if (password !== undefined) {
    if (!username) throw new UsageError('KAITO_GITOPS_GIT_PASSWORD needs KAITO_GITOPS_GIT_USERNAME');
    return { username, password };
  }
  if (username) throw new UsageError('KAITO_GITOPS_GIT_USERNAME needs KAITO_GITOPS_GIT_PASSWORD or _TOKEN');
  return undefined;
}

/** `NAME`, or the contents of the file `NAME_FILE` names (one trailing newline dropped). */
async function secret(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): Promise<string | undefined> {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct && file) throw new UsageError(`set ${name} or ${name}_FILE, not both`);
  if (direct) return direct;
  if (!file) return undefined;
  try {
    const text = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    if (text === '') throw new UsageError(`${name}_FILE ${file} is empty`);
    return text;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `${name}_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        cause: error,
      },
    );
  }
}

/** An http(s) URL without credentials in it; the flag name goes into the message. */
export function repositoryUrl(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} ${redactUrl(value)} is not a URL; give an https:// repository URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(
      `${flag} must be an https:// URL (isomorphic-git has no SSH transport), not ${url.protocol}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(
      `${flag} ${redactUrl(value)} carries credentials; remove them and set KAITO_GITOPS_GIT_TOKEN (or _USERNAME/_PASSWORD)`,
    );
  }
  return value;
}
