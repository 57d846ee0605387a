/**
 * Registry credentials from docker config files: `~/.docker/config.json`, a Kubernetes
 * `kubernetes.io/dockerconfigjson` Secret's `.dockerconfigjson` (same format), the legacy
 * `kubernetes.io/dockercfg` `.dockercfg` (the `auths` map without the wrapper), podman's
 * `REGISTRY_AUTH_FILE`. An entry gives `auth` (base64 `user:password`) or `username`/`password`, and may
 * give `identitytoken` (an OAuth2 refresh token, as `az acr login` writes for ACR). Credential helpers
 * (`credsStore`, `credHelpers`) run programs that are not in the kaito-gitops image, so a file that
 * needs one for the registry at hand gets a clear error instead of a silent anonymous request.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryCredentialsError } from './errors.ts';
import { DOCKER_HUB } from './reference.ts';

export interface Credential {
  username?: string;
  password?: string;
  /** OAuth2 refresh token for the token endpoint (`grant_type=refresh_token`). */
  identityToken?: string;
}

/** Looks up the credential for a registry; undefined means anonymous. */
export interface CredentialSource {
  lookup(registry: string): Credential | undefined;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface ConfigFile {
  path: string;
  auths: Map<string, AuthEntry>;
  credsStore?: string;
  credHelpers: Record<string, string>;
}

/** `https://index.docker.io/v1/`, `http://host:5000/v2/`, `host:5000` all name `host:5000`. */
export function registryKey(key: string): string {
  const host = key
    .replace(/^[a-z]+:\/\//i, '')
    .split('/')[0]
    ?.toLowerCase();
  if (host === undefined || host === '') return key;
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB : host;
}

function parseConfig(path: string, text: string): ConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RegistryCredentialsError(`${path}: not a docker config file (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new RegistryCredentialsError(`${path}: not a docker config file (expected a JSON object)`);
  }
  const record = json as Record<string, unknown>;
  // `.dockercfg` is the `auths` map itself; every other format wraps it.
  const legacy =
    !('auths' in record) &&
    Object.values(record).some((v) => typeof v === 'object' && v !== null && 'auth' in v);
  const rawAuths = (legacy ? record : (record['auths'] ?? {})) as Record<string, unknown>;
  const auths = new Map<string, AuthEntry>();
  for (const [key, value] of Object.entries(rawAuths)) {
    if (typeof value !== 'object' || value === null) continue;
    auths.set(registryKey(key), value);
  }
  const credHelpers = (
    typeof record['credHelpers'] === 'object' && record['credHelpers'] !== null ? record['credHelpers'] : {}
  ) as Record<string, string>;
  const file: ConfigFile = { path, auths, credHelpers };
  if (typeof record['credsStore'] === 'string' && record['credsStore'] !== '')
    file.credsStore = record['credsStore'];
  return file;
}

function credentialFrom(file: ConfigFile, registry: string, entry: AuthEntry): Credential {
  const credential: Credential = {};
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) {
      throw new RegistryCredentialsError(
        `${file.path}: auths["${registry}"].auth is not base64 of "username:password"`,
      );
    }
    credential.username = decoded.slice(0, colon);
    credential.password = decoded.slice(colon + 1);
  } else {
    if (typeof entry.username === 'string') credential.username = entry.username;
    if (typeof entry.password === 'string') credential.password = entry.password;
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') {
    credential.identityToken = entry.identitytoken;
  }
  return credential;
}

/** Credentials from config files, first file first; a file may be a directory holding one (see read). */
export class DockerConfigCredentials implements CredentialSource {
  private readonly files: readonly ConfigFile[];

  private constructor(files: readonly ConfigFile[]) {
    this.files = files;
  }

  /**
   * Reads each path: a config file, or a directory holding `config.json`, `.dockerconfigjson` or
   * `.dockercfg` (a mounted Secret or `$DOCKER_CONFIG`). A path that does not exist is an error: it was
   * named on purpose.
   */
  static async read(paths: readonly string[]): Promise<DockerConfigCredentials> {
    const files: ConfigFile[] = [];
    for (const path of paths) {
      const file = await configFilePath(path);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new RegistryCredentialsError(
          `${file}: cannot read registry credentials (${(error as Error).message})`,
          {
            cause: error,
          },
        );
      }
      files.push(parseConfig(file, text));
    }
    return new DockerConfigCredentials(files);
  }

  static fromText(path: string, text: string): DockerConfigCredentials {
    return new DockerConfigCredentials([parseConfig(path, text)]);
  }

  lookup(registry: string): Credential | undefined {
    const key = registryKey(registry);
    for (const file of this.files) {
      const entry = file.auths.get(key);
      if (entry !== undefined) {
        const credential = credentialFrom(file, key, entry);
        if (credential.username !== undefined || credential.identityToken !== undefined) return credential;
      }
      const helper =
        Object.entries(file.credHelpers).find(([k]) => registryKey(k) === key)?.[1] ?? file.credsStore;
      if (helper !== undefined) {
        throw new RegistryCredentialsError(
          `${file.path}: the credentials for ${key} are kept by the credential helper "docker-credential-${helper}", which kaito-gitops does not run; write them into a config file with "auths" (for example from a kubernetes.io/dockerconfigjson Secret) and pass it with --registry-config`,
        );
      }
    }
    return undefined;
  }
}

async function configFilePath(path: string): Promise<string> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw new RegistryCredentialsError(
      `${path}: cannot read registry credentials (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  if (!isDirectory) return path;
  for (const name of ['config.json', '.dockerconfigjson', '.dockercfg']) {
    const candidate = join(path, name);
    try {
      await stat(candidate);
      return candidate;
    } catch {
      // try the next name
    }
  }
  throw new RegistryCredentialsError(
    `${path}: a directory without config.json, .dockerconfigjson or .dockercfg`,
  );
}

/** Anonymous access to every registry. */
export const ANONYMOUS: CredentialSource = { lookup: () => undefined };
