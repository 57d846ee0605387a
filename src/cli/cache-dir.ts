/**
 * The per-user cache directory (XDG Base Directory): `$XDG_CACHE_HOME/kaito-gitops`, else
 * `~/.cache/kaito-gitops`, else (no home, as in some containers) a directory of this user under the
 * system temporary directory. Never shared between users: clones and copies in it are trusted.
 */
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export function userCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env['XDG_CACHE_HOME'] || (env['HOME'] ? join(env['HOME'], '.cache') : undefined);
  return base === undefined ? join(tmpdir(), `kaito-gitops-${userInfo().uid}`) : join(base, 'kaito-gitops');
}
