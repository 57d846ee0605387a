/** `kaito-gitops init`'s output: Flux and Argo CD bootstrap trees, computed (the CLI writes them). */
import { compareStrings } from '../api/index.ts';
import type { Tree } from '../render/index.ts';
import { argocdTree } from './argocd-bootstrap.ts';
import { fluxTree } from './flux-bootstrap.ts';
import { resolveOptions, type BootstrapOptions } from './bootstrap-options.ts';

export { EXAMPLE_OPTIONS, SYNC_NAMESPACE, SYNC_SECRET, type BootstrapOptions } from './bootstrap-options.ts';

export type BootstrapTool = 'flux' | 'argocd';

/** `<tool>/<file>` → contents, for each tool asked for. */
export function bootstrapTree(options: BootstrapOptions, tools: readonly BootstrapTool[]): Tree {
  const resolved = resolveOptions(options);
  const entries: [string, string][] = [];
  for (const tool of tools) {
    const tree = tool === 'flux' ? fluxTree(resolved) : argocdTree(resolved);
    for (const [path, text] of tree) entries.push([`${tool}/${path}`, text]);
  }
  return new Map(entries.sort(([a], [b]) => compareStrings(a, b)));
}
