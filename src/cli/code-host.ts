/**
 * Credentials for GitHub and GitLab, read from the environment and files only (never flags), and the
 * {@link CodeHost} they open. Shared by `report plan`, `agent` (live status) and `sync` (GitHub App
 * tokens for git).
 *
 * GitHub: a GitHub App (`KAITO_GITOPS_GITHUB_APP_ID`, `_APP_PRIVATE_KEY_FILE`, `_APP_INSTALLATION_ID`),
 * or a token: `KAITO_GITOPS_GITHUB_TOKEN` | `_TOKEN_FILE`, else `GITHUB_TOKEN` (what GitHub Actions
 * provides). GitLab: `KAITO_GITOPS_GITLAB_TOKEN` | `_TOKEN_FILE`.
 */
import { UsageError } from '../errors.ts';
import {
  GITHUB_API_URL,
  GITLAB_URL,
  GitHubHost,
  GitLabHost,
  type CodeHost,
  type GitHubAppCredentials,
  type GitHubAuth,
  type NotFoundHint,
  type ProviderName,
} from '../report/index.ts';
import type { Logger } from '../observe/index.ts';
import { checkReportFlags } from './report-flags.ts';

type Env = Readonly<Record<string, string | undefined>>;
type ReadFile = (path: string) => Promise<string>;

export const GITHUB_APP_ENV = {
  appId: 'KAITO_GITOPS_GITHUB_APP_ID',
  installationId: 'KAITO_GITOPS_GITHUB_APP_INSTALLATION_ID',
  /** The PEM itself (from a Secret through `envFrom`, as the chart passes it) ... */
  privateKey: 'KAITO_GITOPS_GITHUB_APP_PRIVATE_KEY',
  /** ... or a file holding it. */
  privateKeyFile: 'KAITO_GITOPS_GITHUB_APP_PRIVATE_KEY_FILE',
} as const;

export type CodeHostTarget =
  | { provider: 'github'; repository: string; apiUrl?: string | undefined }
  | { provider: 'gitlab'; repository: string; apiUrl?: string | undefined };

const set = (env: Env, name: string) => {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
};

/** The GitHub App named by the environment, or undefined when none of its variables is set. */
export async function githubAppFromEnv(env: Env, read: ReadFile): Promise<GitHubAppCredentials | undefined> {
  const appId = set(env, GITHUB_APP_ENV.appId);
  const installation = set(env, GITHUB_APP_ENV.installationId);
  const inlineKey = set(env, GITHUB_APP_ENV.privateKey);
  const keyFile = set(env, GITHUB_APP_ENV.privateKeyFile);
  if ([appId, installation, inlineKey, keyFile].every((v) => v === undefined)) return undefined;
  if (inlineKey !== undefined && keyFile !== undefined) {
    throw new UsageError(`set ${GITHUB_APP_ENV.privateKey} or ${GITHUB_APP_ENV.privateKeyFile}, not both`);
  }
  const missing = [
    ...(appId === undefined ? [GITHUB_APP_ENV.appId] : []),
    ...(installation === undefined ? [GITHUB_APP_ENV.installationId] : []),
    ...(inlineKey === undefined && keyFile === undefined ? [GITHUB_APP_ENV.privateKeyFile] : []),
  ];
  if (missing.length > 0) throw new UsageError(`a GitHub App needs ${missing.join(' and ')} as well`);
  const installationId = Number(installation);
  if (!Number.isInteger(installationId) || installationId <= 0 || !/^\d+$/.test(appId ?? '')) {
    throw new UsageError(`${GITHUB_APP_ENV.appId} and ${GITHUB_APP_ENV.installationId} must be numbers`);
  }
  const where =
    keyFile === undefined ? GITHUB_APP_ENV.privateKey : `${GITHUB_APP_ENV.privateKeyFile}: ${keyFile}`;
  const privateKey =
    inlineKey ??
    (await read(keyFile ?? '').catch((error: unknown) => {
      throw new UsageError(`${GITHUB_APP_ENV.privateKeyFile}: cannot read ${keyFile}`, { cause: error });
    }));
  if (!privateKey.includes('PRIVATE KEY-----')) throw new UsageError(`${where} is not a PEM private key`);
  return { appId: appId ?? '', privateKey, installationId };
}

/** `flag` names the option that asked for GitHub, in the message when there are no credentials. */
export async function githubAuthFromEnv(env: Env, read: ReadFile, flag = '--github'): Promise<GitHubAuth> {
  const app = await githubAppFromEnv(env, read);
  const token = await tokenFromEnv(env, read, 'KAITO_GITOPS_GITHUB_TOKEN');
  if (app !== undefined && token !== undefined) {
    throw new UsageError('set either a GitHub App (KAITO_GITOPS_GITHUB_APP_*) or a token, not both');
  }
  if (app !== undefined) return { app };
  const fallback = token ?? set(env, 'GITHUB_TOKEN');
  if (fallback === undefined) {
    throw new UsageError(
      `${flag} needs credentials: GITHUB_TOKEN, KAITO_GITOPS_GITHUB_TOKEN[_FILE], or a GitHub App (KAITO_GITOPS_GITHUB_APP_ID, _APP_PRIVATE_KEY_FILE, _APP_INSTALLATION_ID)`,
    );
  }
  return { token: fallback };
}

export async function gitlabTokenFromEnv(env: Env, read: ReadFile, flag = '--gitlab'): Promise<string> {
  const token = await tokenFromEnv(env, read, 'KAITO_GITOPS_GITLAB_TOKEN');
  if (token === undefined)
    throw new UsageError(`${flag} needs KAITO_GITOPS_GITLAB_TOKEN or KAITO_GITOPS_GITLAB_TOKEN_FILE`);
  return token;
}

async function tokenFromEnv(env: Env, read: ReadFile, name: string): Promise<string | undefined> {
  const value = set(env, name);
  const file = set(env, `${name}_FILE`);
  if (value !== undefined && file !== undefined)
    throw new UsageError(`set ${name} or ${name}_FILE, not both`);
  if (file === undefined) return value;
  const text = (
    await read(file).catch((error: unknown) => {
      throw new UsageError(`${name}_FILE: cannot read ${file}`, { cause: error });
    })
  ).trim();
  if (text === '') throw new UsageError(`${name}_FILE: ${file} is empty`);
  return text;
}

/**
 * The API root: the flag, else what CI says (`GITHUB_API_URL` in GitHub Actions, `CI_SERVER_URL` in
 * GitLab CI, both right for GitHub Enterprise and self-managed GitLab), else the public service.
 */
export function apiUrlOf(target: CodeHostTarget, env: Env): string {
  if (target.apiUrl !== undefined) return target.apiUrl;
  return target.provider === 'github'
    ? (set(env, API_URL_ENV.github) ?? GITHUB_API_URL)
    : (set(env, API_URL_ENV.gitlab) ?? GITLAB_URL);
}

/** The variable that names the API root when no flag does (see {@link apiUrlOf}). */
export const API_URL_ENV: Record<ProviderName, string> = {
  github: 'GITHUB_API_URL',
  gitlab: 'CI_SERVER_URL',
};

/** How the caller of a code host named what it asks for: its flag, and what a 404 should make users check. */
export interface CodeHostCaller {
  /** The option that asked for the code host, in the message when there are no credentials. */
  flag: string;
  notFound: NotFoundHint;
}

/** `report plan`: the repository and the number are its own flags. */
export function reportPlanCaller(provider: ProviderName): CodeHostCaller {
  return provider === 'github'
    ? {
        flag: '--github',
        notFound:
          '--github OWNER/REPO and the pull request number, and that the token can see the repository',
      }
    : {
        flag: '--gitlab',
        notFound:
          '--gitlab GROUP/PROJECT and the merge request number, and that the token can see the project',
      };
}

/**
 * A function opening the code host of any repository of `provider`, with the credentials the
 * environment names (read once, here).
 */
export async function codeHostFactory(
  provider: CodeHostTarget['provider'],
  apiUrl: string | undefined,
  env: Env,
  read: ReadFile,
  logger: Logger | undefined,
  caller: CodeHostCaller,
): Promise<(repository: string) => CodeHost> {
  const url = apiUrlOf({ provider, repository: '', apiUrl }, env);
  const { flag, notFound } = caller;
  if (provider === 'github') {
    const auth = await githubAuthFromEnv(env, read, flag);
    return (repository) =>
      new GitHubHost({ repository, apiUrl: url, auth, notFound, ...(logger ? { logger } : {}) });
  }
  const token = await gitlabTokenFromEnv(env, read, flag);
  return (repository) => new GitLabHost({ project: repository, url, token, notFound });
}

/**
 * `--report github|gitlab` and `--report-api-url URL` as `agent` and `sync` take them (an empty
 * provider: off): the provider, checked, and its code hosts with the credentials `report plan` reads,
 * read once at startup; one host per repository, kept (its rate limits and App token are per host).
 * `notFound` says, for the provider, where the repository came from (a 404 names it).
 */
export async function reportHosts(
  provider: string,
  apiUrl: string,
  env: Env,
  read: ReadFile,
  logger: Logger | undefined,
  notFound: (provider: ProviderName) => NotFoundHint,
): Promise<{ provider: ProviderName; hostFor: (repository: string) => CodeHost } | undefined> {
  const checked = checkReportFlags(provider, apiUrl);
  if (checked === undefined) return undefined;
  const open = await codeHostFactory(checked.provider, checked.apiUrl, env, read, logger, {
    flag: `--report ${provider}`,
    notFound: notFound(checked.provider),
  });
  const hosts = new Map<string, CodeHost>();
  const hostFor = (repository: string) => {
    const host = hosts.get(repository) ?? open(repository);
    hosts.set(repository, host);
    return host;
  };
  return { provider: checked.provider, hostFor };
}

export async function openCodeHost(
  target: CodeHostTarget,
  env: Env,
  read: ReadFile,
  logger?: Logger,
): Promise<CodeHost> {
  const caller = reportPlanCaller(target.provider);
  return (await codeHostFactory(target.provider, target.apiUrl, env, read, logger, caller))(
    target.repository,
  );
}
