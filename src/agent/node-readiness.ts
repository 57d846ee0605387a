/**
 * Which nodes count for a Workspace (Kaito v0.12 `pkg/workspace/resource/node.go` and
 * `CheckIfNodePluginsReady`): Ready, not being deleted, of the requested instance type, with non-zero
 * `nvidia.com/gpu` capacity (the device plugin is running), carrying the requested labels. Pure.
 */
import type { V1Node } from '@kubernetes/client-node';
import { GPU_RESOURCE, INSTANCE_TYPE_LABEL } from '../api/index.ts';

export interface NodeRequirements {
  /** Undefined for bring-your-own nodes: any instance type counts. */
  instanceType?: string;
  matchLabels: Readonly<Record<string, string>>;
}

/** Why a node does not count, in the order the checks run; `usable` when it does. */
export type NodeVerdict =
  'usable' | 'deleting' | 'not-ready' | 'wrong-instance-type' | 'missing-labels' | 'no-gpu-capacity';

export function nodeVerdict(node: V1Node, requirements: NodeRequirements): NodeVerdict {
  if (node.metadata?.deletionTimestamp !== undefined && node.metadata.deletionTimestamp !== null) {
    return 'deleting';
  }
  const labels = node.metadata?.labels ?? {};
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return 'not-ready';
  if (requirements.instanceType !== undefined && labels[INSTANCE_TYPE_LABEL] !== requirements.instanceType) {
    return 'wrong-instance-type';
  }
  for (const [key, value] of Object.entries(requirements.matchLabels)) {
    if (labels[key] !== value) return 'missing-labels';
  }
  if (gpuCapacity(node) <= 0) return 'no-gpu-capacity';
  return 'usable';
}

export function isNodeUsable(node: V1Node, requirements: NodeRequirements): boolean {
  return nodeVerdict(node, requirements) === 'usable';
}

/** `status.capacity["nvidia.com/gpu"]` as a number; 0 when absent or not a plain integer. */
export function gpuCapacity(node: V1Node): number {
  const raw = node.status?.capacity?.[GPU_RESOURCE];
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(value) && value > 0 ? value : 0;
}

/** Names of the nodes that count, sorted (Kaito's `workerNodes`). */
export function usableNodeNames(nodes: readonly V1Node[], requirements: NodeRequirements): string[] {
  return nodes
    .filter((node) => isNodeUsable(node, requirements))
    .map((node) => node.metadata?.name ?? '')
    .filter((name) => name !== '')
    .sort();
}
