/**
 * `.kaito-gitops/settings.yaml` beside the specs: facts about the cluster the specs deploy to that every
 * Workspace of the repository shares, read at the same revision as the specs (source-tree.ts). Today one:
 *
 * ```yaml
 * nodes: byo   # the agent runs --provisioner byo: pods are not pinned to per-Workspace node labels
 * ```
 *
 * A missing file, or a missing field, means Kaito's behaviour.
 */
import { parseDocument } from 'yaml';
import { SpecError, type Problem } from '../errors.ts';
import { locateProblems } from './locate.ts';
import { show } from './problems.ts';

/**
 * Who makes the GPU nodes. `provisioned`: the agent's nodeclaim or aks provisioner, which labels each
 * node with its Workspace (`kaito.sh/workspace`), so pods are pinned to their own nodes as Kaito pins
 * them. `byo`: your own nodes (the agent's byo provisioner), which carry no such labels: pods are placed
 * by `resource.labelSelector` alone, as for a Workspace whose own spec says bring-your-own.
 */
export const NODE_SOURCES = ['provisioned', 'byo'] as const;
export type NodeSource = (typeof NODE_SOURCES)[number];

export interface RepositorySettingsFile {
  /** @default "provisioned" */
  nodes: NodeSource;
}

export const DEFAULT_REPOSITORY_SETTINGS: RepositorySettingsFile = { nodes: 'provisioned' };

/** The settings in `content`; every problem, located, in one SpecError naming `file`. */
export function parseRepositorySettings(content: string, file: string): RepositorySettingsFile {
  const parsed = parseDocument(content, { prettyErrors: false });
  const problems: Problem[] = [];
  const settings = { ...DEFAULT_REPOSITORY_SETTINGS };
  const doc: unknown = parsed.errors.length > 0 ? undefined : parsed.toJS();
  if (parsed.errors.length > 0) {
    problems.push({ path: '', message: `invalid YAML: ${parsed.errors.map((e) => e.message).join('; ')}` });
  } else if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) {
    problems.push({ path: '', message: `must be a mapping of settings (nodes), not ${show(doc)}` });
  } else {
    for (const [key, value] of Object.entries((doc ?? {}) as Record<string, unknown>)) {
      if (key !== 'nodes') {
        problems.push({ path: key, message: 'unknown setting; the settings are: nodes' });
      } else if (NODE_SOURCES.includes(value as NodeSource)) {
        settings.nodes = value as NodeSource;
      } else {
        problems.push({
          path: 'nodes',
          message: `must be ${NODE_SOURCES.map((s) => show(s)).join(' or ')}, not ${show(value)}: byo when the agent runs --provisioner byo, provisioned (the default) for nodeclaim or aks`,
        });
      }
    }
  }
  if (problems.length > 0) throw new SpecError(locateProblems(content, 0, problems), { file });
  return settings;
}
