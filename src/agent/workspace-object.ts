/**
 * The Workspace as the agent reads it from the cluster, and the two conversions the reconciler needs:
 * back to the document a user wrote (so the cluster copy is validated by exactly the rules `validate`
 * applies to git), and from a plan to the provisioner's {@link NodeRequest}. Pure.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Problem } from '../errors.ts';
import { SpecError } from '../errors.ts';
import type { ConfigMapObject, Workspace } from '../api/index.ts';
import {
  HUGGING_FACE_MODEL_ANNOTATION,
  NODE_IMAGE_FAMILY_ANNOTATION,
  configFacts,
  loadSources,
} from '../api/index.ts';
import type { Catalog, WorkspacePlan } from '../catalog/index.ts';
import { cacheFromAnnotation, plan, withHuggingFaceCache } from '../catalog/index.ts';
import type { NodeRequest, ProvisionerKind } from './node-provisioner.ts';
import type { WorkspaceStatus } from './workspace-status.ts';

export interface WorkspaceObject extends KubernetesObject {
  resource?: unknown;
  inference?: unknown;
  tuning?: unknown;
  status?: Partial<WorkspaceStatus>;
}

export type PlanOutcome =
  | { ok: true; workspace: Workspace; plan: WorkspacePlan }
  | { ok: false; kind: 'inference' | 'tuning'; problems: Problem[] };

/** A ConfigMap the Workspace names: `inference.config` or `tuning.config`. */
export interface ConfigMapReference {
  field: 'inference.config' | 'tuning.config';
  name: string;
}

export function referencedConfigMaps(object: WorkspaceObject): ConfigMapReference[] {
  const refs: ConfigMapReference[] = [];
  const name = (section: unknown): unknown =>
    typeof section === 'object' && section !== null ? (section as { config?: unknown }).config : undefined;
  const inference = name(object.inference);
  const tuning = name(object.tuning);
  if (typeof inference === 'string' && inference !== '')
    refs.push({ field: 'inference.config', name: inference });
  if (typeof tuning === 'string' && tuning !== '') refs.push({ field: 'tuning.config', name: tuning });
  return refs;
}

/**
 * Validates and plans the cluster copy with the ConfigMaps it references (read from the cluster, as
 * synth reads them from git, so both plan with the same `max-model-len`); spec problems come back as
 * data (the Workspace goes Stalled).
 */
export function planWorkspace(
  object: WorkspaceObject,
  catalog: Catalog,
  configMaps: readonly ConfigMapObject[] = [],
): PlanOutcome {
  const kind = object.tuning !== undefined && object.tuning !== null ? 'tuning' : 'inference';
  const meta = object.metadata ?? {};
  const document = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      ...(meta.labels !== undefined ? { labels: meta.labels } : {}),
      ...(meta.annotations !== undefined ? { annotations: meta.annotations } : {}),
    },
    ...(object.resource !== undefined ? { resource: object.resource } : {}),
    ...(object.inference !== undefined ? { inference: object.inference } : {}),
    ...(object.tuning !== undefined ? { tuning: object.tuning } : {}),
  };
  const path = `cluster:${meta.namespace ?? ''}/${meta.name ?? ''}`;
  const loaded = loadSources([
    { path, content: JSON.stringify(document) },
    ...configMaps.map((configMap, i) => ({
      path: `${path}#configmap-${i}`,
      content: JSON.stringify(configMap),
    })),
  ]);
  const workspace = loaded.workspaces[0];
  if (workspace === undefined) {
    return { ok: false, kind, problems: loaded.failures.flatMap((f) => f.problems) };
  }
  try {
    // A Hugging Face ID outside the catalog comes with the facts synth sized it from.
    const model = workspace.annotations[HUGGING_FACE_MODEL_ANNOTATION];
    const sized = model === undefined ? catalog : withHuggingFaceCache(catalog, cacheFromAnnotation(model));
    return { ok: true, workspace, plan: plan(workspace, sized, configFacts(workspace, configMaps)) };
  } catch (error) {
    if (error instanceof SpecError) return { ok: false, kind, problems: [...error.problems] };
    throw error;
  }
}

/** What the node layer must provide for this plan. */
export function nodeRequest(plan: WorkspacePlan, provisioner: ProvisionerKind): NodeRequest {
  const { workspace } = plan;
  const family = workspace.annotations[NODE_IMAGE_FAMILY_ANNOTATION];
  return {
    workspace: { namespace: workspace.namespace, name: workspace.name },
    ...(provisioner !== 'byo' && plan.instanceType !== undefined ? { instanceType: plan.instanceType } : {}),
    nodes: plan.nodes,
    gpusPerNode: plan.gpusPerNode,
    matchLabels: { ...(workspace.resource.labelSelector.matchLabels ?? {}) },
    diskGiB: plan.diskGiB,
    ...(family === 'ubuntu' || family === 'azurelinux' ? { nodeImageFamily: family } : {}),
  };
}
