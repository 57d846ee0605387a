/**
 * Is Kaito's own workspace controller running in this cluster? Both controllers would act on the same
 * Workspaces (NodeClaims, workloads, status, the same finalizer), so the agent refuses to start beside it
 * unless told to coexist. Evidence, from what the agent can read:
 *
 * - Kaito's validating webhook `validation.workspace.kaito.sh` (its chart's fixed name): with
 *   `failurePolicy: Fail` it also blocks every Workspace write once its pods are gone;
 * - a Deployment with replicas running Kaito's workspace image (`…/kaito/workspace`);
 * - the Workspace CRD owned by a Helm release (Kaito's chart installs it as a template, ours from
 *   `crds/`) without `helm.sh/resource-policy: keep`: uninstalling that release deletes the CRD and so
 *   every Workspace and the models they run. A hazard, not a running controller: reported either way.
 *
 * Pure: the caller reads the objects.
 */
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';

/** Kaito v0.12's webhook configuration for Workspaces (`charts/kaito/workspace/templates/webhooks.yaml`). */
export const KAITO_WEBHOOK = 'validation.workspace.kaito.sh';
/** Image repository suffix of Kaito's workspace controller (`mcr.microsoft.com/aks/kaito/workspace`). */
const KAITO_IMAGE = /(^|\/)kaito\/workspace(:|@|$)/;
const HELM_RELEASE_ANNOTATION = 'meta.helm.sh/release-name';
const HELM_RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';
const HELM_KEEP_ANNOTATION = 'helm.sh/resource-policy';

export interface KaitoObservation {
  /** Kaito's webhook configuration, when the cluster has it. */
  webhook?: KubernetesObject;
  /** Deployments of the cluster (any namespace). */
  deployments: readonly V1Deployment[];
  /** The `workspaces.kaito.sh` CustomResourceDefinition, when readable. */
  crd?: KubernetesObject;
}

export interface KaitoDetection {
  /** What shows Kaito's controller is running; empty when it is not. */
  running: string[];
  /** What would break the installation later (the CRD deleted with Kaito's release). */
  hazards: string[];
}

export function detectKaito(observed: KaitoObservation): KaitoDetection {
  const running: string[] = [];
  if (observed.webhook !== undefined) running.push(`webhook ${KAITO_WEBHOOK}`);
  for (const deployment of observed.deployments) {
    const containers = deployment.spec?.template.spec?.containers ?? [];
    const replicas = deployment.spec?.replicas ?? 1;
    if (replicas > 0 && containers.some((c) => KAITO_IMAGE.test(c.image ?? ''))) {
      running.push(`Deployment ${deployment.metadata?.namespace ?? ''}/${deployment.metadata?.name ?? ''}`);
    }
  }
  const hazards: string[] = [];
  const annotations = observed.crd?.metadata?.annotations ?? {};
  const release = annotations[HELM_RELEASE_ANNOTATION];
  if (release !== undefined && annotations[HELM_KEEP_ANNOTATION] !== 'keep') {
    const namespace = annotations[HELM_RELEASE_NAMESPACE_ANNOTATION] ?? '';
    hazards.push(
      `the Workspace CRD belongs to the Helm release ${namespace}/${release}: uninstalling it deletes every Workspace; ` +
        `first run \`kubectl annotate crd workspaces.kaito.sh ${HELM_KEEP_ANNOTATION}=keep\``,
    );
  }
  return { running: running.sort(), hazards };
}

/** The kaito-gitops image (`ghcr.io/kaito-gitops/kaito-gitops`, or a fork's `…/kaito-gitops`). */
const AGENT_IMAGE = /(^|\/)kaito-gitops(:|@|$)/;

/**
 * kaito-gitops agents installed in other namespaces (a second Helm release): two agents would both
 * reconcile every Workspace. The agent's own release is the one in `ownNamespace` (its Lease's).
 */
export function otherAgents(deployments: readonly V1Deployment[], ownNamespace: string): string[] {
  return deployments
    .filter((d) => d.metadata?.namespace !== ownNamespace && (d.spec?.replicas ?? 1) > 0)
    .filter((d) =>
      (d.spec?.template.spec?.containers ?? []).some(
        (c) => AGENT_IMAGE.test(c.image ?? '') && c.args?.[0] === 'agent',
      ),
    )
    .map((d) => `Deployment ${d.metadata?.namespace ?? ''}/${d.metadata?.name ?? ''}`)
    .sort();
}

/** The one line the agent stops with when Kaito runs and `--coexist` was not given. */
export function refusalMessage(detection: KaitoDetection): string {
  return (
    `Kaito's workspace controller is running in this cluster (${detection.running.join(', ')}): it and this agent ` +
    `would both manage every Workspace. Stop Kaito's controller (scale its Deployment to 0 and delete the ` +
    `webhook ${KAITO_WEBHOOK}; README "Moving from Kaito"), or start the agent with --coexist to manage only ` +
    `Workspaces labelled app.kubernetes.io/managed-by=kaito-gitops`
  );
}
