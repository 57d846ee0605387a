/**
 * The Workspace object itself, as the user wrote it (its API version, `resource`, `inference`,
 * `tuning`), with the namespace made explicit and the kaito-gitops labels added; never a status.
 * Applying it gives the agent, `kubectl get workspace` and the GitOps tool's health checks their object.
 */
import type { Workspace } from '../api/types.ts';
import { withWorkspaceLabels } from './labels.ts';
import type { Manifest } from './types.ts';

export function workspaceObject(
  workspace: Workspace,
  extraAnnotations: Readonly<Record<string, string>>,
): Manifest {
  const document = workspace.document;
  const annotations = { ...document.metadata.annotations, ...extraAnnotations };
  const object: Manifest = {
    apiVersion: document.apiVersion,
    kind: 'Workspace',
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
