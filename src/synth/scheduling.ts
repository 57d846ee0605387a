/**
 * Where GPU pods may run: Kaito's tolerations and a required node affinity built from the
 * Workspace's `resource.labelSelector`, for generated pods and merged into user pod templates.
 */
import type {
  V1Affinity,
  V1NodeSelectorRequirement,
  V1NodeSelectorTerm,
  V1Toleration,
} from '@kubernetes/client-node';
import {
  GPU_RESOURCE,
  GPU_TAINT,
  SPOT_TAINT,
  WORKSPACE_LABEL,
  WORKSPACE_NAMESPACE_LABEL,
  type LabelSelector,
} from '../api/index.ts';
import type { WorkspacePlan } from '../catalog/index.ts';

/**
 * What Kaito v0.12's pods tolerate (pkg/workspace/inference/preset_inferences.go defaultTolerations):
 * GPU nodes tainted `sku=gpu:NoSchedule` (Kaito's node pools) and `nvidia.com/gpu` (AKS, GPU operator);
 * on Azure also spot nodes; on a MIG slice the taint an operator may put on its resource name.
 */
export function gpuTolerations(plan?: Pick<WorkspacePlan, 'cloud' | 'partition'>): V1Toleration[] {
  const tolerations: V1Toleration[] = [
    { key: GPU_TAINT.key, operator: 'Equal', value: GPU_TAINT.value, effect: GPU_TAINT.effect },
    { key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (plan?.cloud === 'azure') tolerations.push({ ...SPOT_TAINT, operator: 'Equal' });
  if (plan?.partition?.mode === 'mig') {
    tolerations.push({ key: plan.partition.resource, operator: 'Exists', effect: 'NoSchedule' });
  }
  return tolerations;
}

/**
 * The labels the agent's provisioners (NodeClaim, AKS agent pool) put on the nodes they create for one
 * Workspace, as Kaito's gpu-provisioner does (BuildNodeSelector): requiring them keeps two Workspaces
 * with the same labelSelector off each other's nodes. Bring-your-own nodes carry no such labels.
 */
export function workspaceNodeRequirements(plan: WorkspacePlan): V1NodeSelectorRequirement[] {
  if (!plan.pinToWorkspaceNodes) return [];
  const { name, namespace } = plan.workspace;
  return [
    { key: WORKSPACE_LABEL, operator: 'In', values: [name] },
    { key: WORKSPACE_NAMESPACE_LABEL, operator: 'In', values: [namespace] },
  ];
}

/** `matchLabels` become `In` requirements (sorted by key), then `matchExpressions` as written. */
export function nodeRequirements(selector: LabelSelector): V1NodeSelectorRequirement[] {
  const fromLabels = Object.keys(selector.matchLabels ?? {})
    .sort()
    .map((key): V1NodeSelectorRequirement => ({
      key,
      operator: 'In',
      values: [(selector.matchLabels as Record<string, string>)[key] as string],
    }));
  const fromExpressions = (selector.matchExpressions ?? []).map((expression): V1NodeSelectorRequirement => {
    const requirement: V1NodeSelectorRequirement = { key: expression.key, operator: expression.operator };
    if (expression.values !== undefined) requirement.values = [...expression.values];
    return requirement;
  });
  return [...fromLabels, ...fromExpressions];
}

/** The affinity of a generated pod; undefined when there is nothing to require. */
export function requiredNodeAffinity(
  selector: LabelSelector,
  extra: readonly V1NodeSelectorRequirement[] = [],
): V1Affinity | undefined {
  return mergeNodeAffinity(undefined, selector, extra);
}

/**
 * `affinity` with the selector's requirements added to every required node selector term. Terms are
 * ORed, requirements inside a term ANDed, so adding them to each term keeps the user's choices and
 * still confines the pod to the Workspace's nodes. Everything else in `affinity` is kept.
 */
export function mergeNodeAffinity(
  affinity: V1Affinity | undefined,
  selector: LabelSelector,
  extra: readonly V1NodeSelectorRequirement[] = [],
): V1Affinity | undefined {
  const requirements = [...nodeRequirements(selector), ...extra];
  if (requirements.length === 0) return affinity;
  const nodeAffinity = affinity?.nodeAffinity;
  const existing = nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const terms: V1NodeSelectorTerm[] =
    existing.length === 0
      ? [{ matchExpressions: requirements }]
      : existing.map((term) => ({
          ...term,
          matchExpressions: [...(term.matchExpressions ?? []), ...requirements.map((r) => ({ ...r }))],
        }));
  return {
    ...affinity,
    nodeAffinity: {
      ...nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms },
    },
  };
}

/** `tolerations` followed by the GPU tolerations that are not already there. */
export function appendGpuTolerations(
  tolerations: readonly V1Toleration[] | undefined,
  plan?: Pick<WorkspacePlan, 'cloud' | 'partition'>,
): V1Toleration[] {
  const present = new Set((tolerations ?? []).map(tolerationKey));
  return [...(tolerations ?? []), ...gpuTolerations(plan).filter((t) => !present.has(tolerationKey(t)))];
}

function tolerationKey(t: V1Toleration): string {
  return JSON.stringify([t.key ?? '', t.operator ?? 'Equal', t.value ?? '', t.effect ?? '']);
}
