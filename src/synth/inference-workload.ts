/**
 * The inference workload: a Deployment on one node, a StatefulSet across several (stable pod names,
 * pod 0 leads, all pods start together), for preset and template Workspaces alike.
 */
import type { V1Deployment, V1PodTemplateSpec, V1StatefulSet } from '@kubernetes/client-node';
import type { PresetInferencePlan, TemplatePlan } from '../catalog/index.ts';
import { selectorLabels, workspaceLabels } from './labels.ts';

/** Time for the image pull (Kaito's base images are several GB) on top of the model's readiness timeout. */
const IMAGE_PULL_ALLOWANCE_SECONDS = 600;

export function headlessServiceName(workspaceName: string): string {
  return `${workspaceName}-headless`;
}

export function inferenceWorkload(
  plan: PresetInferencePlan | TemplatePlan,
  template: V1PodTemplateSpec,
): V1Deployment | V1StatefulSet {
  const { name, namespace } = plan.workspace;
  const metadata = { name, namespace, labels: workspaceLabels(name) };
  const selector = { matchLabels: selectorLabels(name) };
  if (plan.multiNode) {
    return {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata,
      spec: {
        replicas: plan.nodes,
        podManagementPolicy: 'Parallel',
        serviceName: headlessServiceName(name),
        selector,
        template,
      },
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: plan.nodes,
      selector,
      // Recreate, not Kaito's RollingUpdate (maxSurge 0, maxUnavailable 1; kaito#1132): each pod takes
      // every GPU of its node and only the planned nodes exist, so a surge pod could never schedule,
      // and a rolling update may start the new pod while the old one still holds the GPUs. An update
      // without spare GPU capacity means downtime either way; Recreate says so and frees the GPUs
      // before the new pod asks for them.
      strategy: { type: 'Recreate' },
      // Loading a model takes up to its readiness timeout; a shorter deadline would make Flux and
      // Argo CD (kstatus: ProgressDeadlineExceeded) report a healthy start-up as failed.
      progressDeadlineSeconds: Math.max(plan.readinessTimeoutSeconds, 0) + IMAGE_PULL_ALLOWANCE_SECONDS,
      template,
    },
  };
}
