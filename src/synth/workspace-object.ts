/**
 * The Workspace object itself, as the user wrote it (its API version, `resource`, `inference`,
 * `tuning`), with the namespace and the runtime (`kaito.sh/runtime`) made explicit and the kaito-gitops
 * labels added; never a status.
 * Applying it gives the agent, `kubectl get workspace` and the GitOps tool's health checks their object.
 */
import { RUNTIME_ANNOTATION, WORKSPACE_KIND, type Workspace } from '../api/index.ts';
import { withWorkspaceLabels } from './labels.ts';
import type { Manifest } from './types.ts';

export function workspaceObject(
  workspace: Workspace,
  extraAnnotations: Readonly<Record<string, string>>,
): Manifest {
  const document = workspace.document;
  // The runtime is made explicit: the cluster serves every Workspace as v1beta1 (its storage version),
  // so a v1alpha1 spec's default runtime (transformers) would read back as v1beta1's (vLLM) and the
  // agent would plan something other than what was rendered here.
  const annotations = {
    ...document.metadata.annotations,
    [RUNTIME_ANNOTATION]: workspace.runtime,
    ...extraAnnotations,
  };
  const object: Manifest = {
    apiVersion: document.apiVersion,
    kind: WORKSPACE_KIND,
    metadata: {
      name: workspace.name,
      namespace: workspace.namespace,
      labels: withWorkspaceLabels(document.metadata.labels, workspace.name),
    },
    resource: structuredClone(document.resource),
  };
  if (Object.keys(annotations).length > 0) object.metadata.annotations = annotations;
  if (document.inference !== undefined) object['inference'] = structuredClone(document.inference);
  if (document.tuning !== undefined) object['tuning'] = structuredClone(document.tuning);
  return object;
}
