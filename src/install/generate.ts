/**
 * The committed files that install kaito-gitops, as `npm run generate` writes them: the Helm chart with
 * its plain `kubectl apply -k` manifests, and the example Flux and Argo CD bootstrap in `gitops/`.
 * `installFiles` computes them (tests compare them with what is committed); `writeFiles` writes.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { GeneratedFile } from '../api/index.ts';
import { EXAMPLE_OPTIONS, bootstrapTree } from './bootstrap.ts';
import { chartFiles } from './chart-files.ts';
import { VERSION } from './identity.ts';

/** Where the example bootstrap (`kaito-gitops init` with {@link EXAMPLE_OPTIONS}) is committed. */
export const EXAMPLE_BOOTSTRAP_DIR = 'gitops';

export function installFiles(): GeneratedFile[] {
  const bootstrap = bootstrapTree(EXAMPLE_OPTIONS, ['flux', 'argocd']);
  return [
    ...chartFiles(VERSION),
    ...[...bootstrap].map(([path, content]) => ({ path: `${EXAMPLE_BOOTSTRAP_DIR}/${path}`, content })),
  ];
}

/** Writes each file under `root` unless it already holds exactly that; returns the paths written. */
export async function writeFiles(root: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const written: string[] = [];
  for (const file of files) {
    const target = join(root, file.path);
    const current = await readFile(target, 'utf8').catch(() => undefined);
    if (current === file.content) continue;
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
    written.push(file.path);
  }
  return written;
}
