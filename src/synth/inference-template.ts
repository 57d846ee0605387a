/**
 * The pod of a template Workspace: the user's pod template as written, confined to the Workspace's
 * nodes. The Workspace label is added (selectors need it), node affinity from `resource.labelSelector`
 * is merged into the user's, GPU tolerations are appended; containers and their GPU requests stay
 * exactly as the user wrote them.
 */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import type { JsonObject } from '../api/index.ts';
import type { TemplatePlan } from '../catalog/index.ts';
import type { Problem } from '../errors.ts';
import { withWorkspaceLabels } from './labels.ts';
import { appendGpuTolerations, mergeNodeAffinity, workspaceNodeRequirements } from './scheduling.ts';

/** What synthesis needs from a template: a pod spec with at least one container. */
export function templateProblems(template: JsonObject | undefined): Problem[] {
  const spec = template?.['spec'];
  if (!isObject(spec)) return [{ path: 'inference.template.spec', message: 'must be a pod spec' }];
  const containers = spec['containers'];
  if (!Array.isArray(containers) || containers.length === 0) {
    return [{ path: 'inference.template.spec.containers', message: 'must list at least one container' }];
  }
  return [];
}

export function templatePodTemplate(plan: TemplatePlan): V1PodTemplateSpec {
  const workspace = plan.workspace;
  const template = structuredClone(workspace.inference.template) as V1PodTemplateSpec;
  const metadata = template.metadata ?? {};
  const spec = template.spec ?? { containers: [] };
  return {
    ...template,
    metadata: { ...metadata, labels: withWorkspaceLabels(metadata.labels, workspace.name) },
    spec: {
      ...spec,
      affinity: mergeNodeAffinity(
        spec.affinity,
        workspace.resource.labelSelector,
        workspaceNodeRequirements(plan),
      ),
      tolerations: appendGpuTolerations(spec.tolerations, plan),
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
