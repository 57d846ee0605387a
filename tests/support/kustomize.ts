/**
 * `kubectl kustomize`, offline. Which binary: `$KUBECTL` when set; otherwise the `kubectl` on PATH,
 * resolved, and the `kubectl.1.32` beside it when there is one (the Google Cloud SDK's `kubectl` is a
 * dispatcher that contacts a cluster even for `kustomize`; the versioned binary does not). Missing
 * kubectl fails the tests with a message naming KUBECTL; nothing is skipped.
 */
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function findKubectl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['KUBECTL']) return env['KUBECTL'];
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    if (dir === '' || !existsSync(candidate)) continue;
    const resolved = realpathSync(candidate);
    const pinned = join(dirname(resolved), 'kubectl.1.32');
    return existsSync(pinned) ? pinned : resolved;
  }
  return undefined;
}

/** Env for kubectl without KUBECONFIG, so that no cluster (or test API server) is ever contacted. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['KUBECONFIG'];
  return env;
}

/** Resolves kubectl and checks that it runs; throws a message that says how to fix it. */
export async function requireKubectl(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const kubectl = findKubectl(env);
  if (kubectl === undefined) {
    throw new Error('kubectl not found: install kubectl (its kustomize is used) or set KUBECTL to its path');
  }
  try {
    await run(kubectl, ['version', '--client'], { env: offlineEnv() });
  } catch (error) {
    throw new Error(
      `${kubectl} does not run (${(error as Error).message}); set KUBECTL to a working kubectl`,
      { cause: error },
    );
  }
  return kubectl;
}

export async function kustomizeBuild(kubectl: string, dir: string): Promise<string> {
  const { stdout } = await run(kubectl, ['kustomize', dir], {
    env: offlineEnv(),
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}
