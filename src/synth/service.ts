/**
 * The Services of an inference Workspace: `<name>` (port 80 → 5000, plus 29500 for the transformers
 * runtime, as Kaito exposes them) and, across several nodes, the headless `<name>-headless` through
 * which the pods find each other.
 */
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { WorkspacePlan } from '../catalog/types.ts';
import {
  ENABLE_LB_ANNOTATION,
  HTTP_PORT,
  SERVICE_PORT,
  STATEFULSET_POD_NAME_LABEL,
  TORCH_PORT,
} from './constants.ts';
import { headlessServiceName } from './inference-workload.ts';
import { selectorLabels, workspaceLabels } from './labels.ts';

export function inferenceServices(plan: WorkspacePlan): V1Service[] {
  const { name, namespace, annotations } = plan.workspace;
  const preset = plan.workload === 'inference-preset';
  const ports: V1ServicePort[] = [
    { name: 'http', port: SERVICE_PORT, targetPort: HTTP_PORT, protocol: 'TCP' },
  ];
  if (preset && plan.runtime === 'transformers') {
    ports.push({ name: 'torch', port: TORCH_PORT, targetPort: TORCH_PORT, protocol: 'TCP' });
  }
  const selector = selectorLabels(name);
  // Across nodes only the leader serves HTTP (vLLM workers run Ray, torchrun workers follow rank 0).
  // A Service selector is mutable, unlike the StatefulSet's, so narrowing it here is safe.
  if (preset && plan.multiNode) selector[STATEFULSET_POD_NAME_LABEL] = `${name}-0`;
  const services: V1Service[] = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels: workspaceLabels(name) },
      spec: {
        type: annotations[ENABLE_LB_ANNOTATION] === 'True' ? 'LoadBalancer' : 'ClusterIP',
        selector,
        ports,
      },
    },
  ];
  if (plan.multiNode) {
    services.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: headlessServiceName(name), namespace, labels: workspaceLabels(name) },
      spec: {
        clusterIP: 'None',
        // Pods must resolve each other before any of them is ready (Ray and torchrun rendezvous).
        publishNotReadyAddresses: true,
        selector: selectorLabels(name),
        ports:
          preset && plan.runtime === 'transformers'
            ? [{ name: 'torchrun', port: TORCH_PORT, targetPort: TORCH_PORT, protocol: 'TCP' }]
            : undefined,
      },
    });
  }
  return services;
}
