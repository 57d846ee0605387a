import type { V1Node, V1Pod } from '@kubernetes/client-node';

export function gpuNode(
  name: string,
  options: {
    ready?: boolean;
    instanceType?: string;
    labels?: Record<string, string>;
    gpus?: string;
    deleting?: boolean;
  } = {},
): V1Node {
  return {
    metadata: {
      name,
      labels: {
        'node.kubernetes.io/instance-type': options.instanceType ?? 'Standard_NC6s_v3',
        ...(options.labels ?? { apps: 'phi-3' }),
      },
      ...(options.deleting === true ? { deletionTimestamp: new Date('2026-01-01T00:00:00Z') } : {}),
    },
    status: {
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
      capacity:
        options.gpus === undefined
          ? { 'nvidia.com/gpu': '1' }
          : options.gpus === ''
            ? {}
            : { 'nvidia.com/gpu': options.gpus },
    },
  };
}

export function pod(name: string, status: object): V1Pod {
  return { metadata: { name }, status: status };
}
