/**
 * Bring-your-own nodes (Kaito's `byo` provisioner): nothing is created or deleted; nodes matching the
 * Workspace's `labelSelector` are checked. GPU configuration comes from NVIDIA gpu-feature-discovery
 * labels (`nvidia.com/gpu.product`, `.count`, `.memory` in MiB per GPU; Kaito v0.12
 * `GetGPUConfigFromNodeLabels`), and the messages are Kaito's.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { NodeProvisioner, NodeRequest, NodeStatus } from '../node-provisioner.ts';
import { CONDITION_REASONS } from '../../api/index.ts';
import { nodeVerdict } from '../node-readiness.ts';
import type { ClusterView } from './cluster-view.ts';

export const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';
export const GPU_COUNT_LABEL = 'nvidia.com/gpu.count';
export const GPU_MEMORY_LABEL = 'nvidia.com/gpu.memory';

export interface GpuConfig {
  product: string;
  count: number;
  /** Per GPU, MiB. */
  memoryMiB: number;
}

/** The node's GPUs from its gpu-feature-discovery labels, or the problem with them. */
export function gpuConfigFromLabels(node: V1Node): GpuConfig | { error: string } {
  const labels = node.metadata?.labels ?? {};
  const name = node.metadata?.name ?? '';
  const product = labels[GPU_PRODUCT_LABEL];
  const count = Number(labels[GPU_COUNT_LABEL]);
  const memoryMiB = Number(labels[GPU_MEMORY_LABEL]);
  const missing = [GPU_PRODUCT_LABEL, GPU_COUNT_LABEL, GPU_MEMORY_LABEL].filter(
    (l) => labels[l] === undefined,
  );
  if (missing.length > 0 || product === undefined) {
    return {
      error: `Failed to get GPU config from nvidia labels on node ${name}: missing ${missing.join(', ')}`,
    };
  }
  if (!Number.isInteger(count) || count <= 0 || !Number.isInteger(memoryMiB) || memoryMiB <= 0) {
    return {
      error: `Failed to get GPU config from nvidia labels on node ${name}: ${GPU_COUNT_LABEL}=${labels[GPU_COUNT_LABEL]} and ${GPU_MEMORY_LABEL}=${labels[GPU_MEMORY_LABEL]} must be positive integers`,
    };
  }
  return { product, count, memoryMiB };
}

/** Pure: the BYO node status for a request, given every node in the cluster. */
export function byoStatus(request: NodeRequest, nodes: readonly V1Node[]): NodeStatus {
  const matching = nodes.filter((node) =>
    Object.entries(request.matchLabels).every(([k, v]) => node.metadata?.labels?.[k] === v),
  );
  const notReady = (reason: string, message: string, permanent = false): NodeStatus => ({
    readyNodes: [],
    ready: false,
    reason,
    message,
    permanent,
  });
  if (matching.length === 0) {
    return notReady(CONDITION_REASONS.NodeNotReady, 'No nodes found matching the specified label selector');
  }
  const configs: { node: string; config: GpuConfig }[] = [];
  for (const node of matching) {
    const config = gpuConfigFromLabels(node);
    if ('error' in config) return notReady(CONDITION_REASONS.NodePluginsNotReady, config.error);
    configs.push({ node: node.metadata?.name ?? '', config });
  }
  for (const [field, label] of [
    ['product', 'product'],
    ['count', 'count'],
    ['memoryMiB', 'memory'],
  ] as const) {
    const values = new Set(configs.map((c) => c.config[field]));
    if (values.size > 1) {
      const detail = configs.map((c) => `${c.node}=${c.config[field]}`).join(', ');
      return notReady(CONDITION_REASONS.NodeNotReady, `Non-uniform GPU ${label}: ${detail}`, true);
    }
  }
  const requirements = { matchLabels: request.matchLabels };
  const usable = matching.filter((n) => nodeVerdict(n, requirements) === 'usable');
  const readyNodes = usable.map((n) => n.metadata?.name ?? '').sort();
  const first = configs[0]?.config;
  if (request.minNodeGpuMemoryGiB !== undefined && first !== undefined) {
    const totalGiB = Math.round(first.memoryMiB / 1024) * first.count;
    if (totalGiB < request.minNodeGpuMemoryGiB) {
      return notReady(
        CONDITION_REASONS.NodeNotReady,
        `Insufficient GPU memory: nodes matching the label selector have ${totalGiB}Gi (${first.count} × ${first.product}), but ${request.minNodeGpuMemoryGiB}Gi is needed per node`,
        true,
      );
    }
  }
  if (readyNodes.length >= request.nodes) {
    return {
      readyNodes,
      ready: true,
      reason: 'NodesReady',
      message: 'Enough Nodes are ready',
      permanent: false,
    };
  }
  return {
    readyNodes,
    ready: false,
    reason: CONDITION_REASONS.NodeNotReady,
    message: `Not enough Nodes are ready: ${readyNodes.length} of ${request.nodes} matching nodes are Ready with nvidia.com/gpu capacity`,
    permanent: false,
  };
}

export class ByoProvisioner implements NodeProvisioner {
  readonly kind = 'byo' as const;
  readonly #cluster: ClusterView;

  constructor(cluster: ClusterView) {
    this.#cluster = cluster;
  }

  provision(): Promise<void> {
    return Promise.resolve();
  }

  status(request: NodeRequest): Promise<NodeStatus> {
    return Promise.resolve(byoStatus(request, this.#cluster.nodes()));
  }

  release(): Promise<boolean> {
    return Promise.resolve(true);
  }
}
