/**
 * The Services of an inference Workspace: `<name>` with the ports the plan gives (80 → 5000, plus 29500 for the transformers
 * runtime, as Kaito exposes them) and, across several nodes, the headless `<name>-headless` through
 * which the pods find each other.
 */
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import { ENABLE_LB_ANNOTATION } from '../api/index.ts';
import type { PresetInferencePlan, TemplatePlan } from '../catalog/index.ts';
import { STATEFULSET_POD_NAME_LABEL } from './constants.ts';
import { headlessServiceName } from './inference-workload.ts';
import { selectorLabels, workspaceLabels } from './labels.ts';

export function inferenceServices(plan: PresetInferencePlan | TemplatePlan): V1Service[] {
  const { name, namespace, annotations } = plan.workspace;
  const preset = plan.workload === 'inference-preset';
  const ports: V1ServicePort[] = plan.servicePorts.map((p) => ({ ...p, protocol: 'TCP' }));
  const torch = plan.servicePorts.find((p) => p.name === 'torch');
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
        ports: torch ? [{ ...torch, name: 'torchrun', protocol: 'TCP' }] : undefined,
      },
    });
  }
  return services;
}
