/** `kaito-gitops init`'s output: Flux and Argo CD bootstrap trees, computed (the CLI writes them). */
import type { Tree } from '../../render/types.ts';
import { argocdTree } from './argocd.ts';
import { fluxTree } from './flux.ts';
import { resolveOptions, type BootstrapOptions } from './options.ts';

export { WORKSPACE_HEALTH_LUA } from './argocd.ts';
export {
  DEFAULT_IMAGE,
  EXAMPLE_OPTIONS,
  SYNC_NAMESPACE,
  SYNC_SECRET,
  type BootstrapOptions,
} from './options.ts';

export type BootstrapTool = 'flux' | 'argocd';

/** `<tool>/<file>` → contents, for each tool asked for. */
export function bootstrapTree(options: BootstrapOptions, tools: readonly BootstrapTool[]): Tree {
  const resolved = resolveOptions(options);
  const entries: [string, string][] = [];
  for (const tool of tools) {
    const tree = tool === 'flux' ? fluxTree(resolved) : argocdTree(resolved);
    for (const [path, text] of tree) entries.push([`${tool}/${path}`, text]);
  }
  return new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
