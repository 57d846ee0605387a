/**
 * Kaito v0.12 as a cluster shows it, for the API test server: its Workspace CRD (verbatim fixture), and
 * the objects its Helm chart (`charts/kaito/workspace`, release `kaito-workspace`) creates that tell a
 * running Kaito workspace controller apart: the CRD installed as a chart template (Helm's ownership
 * annotations), the controller Deployment (image `mcr.microsoft.com/aks/kaito/workspace`) and the
 * validating webhook `validation.workspace.kaito.sh`.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './kube-api-server/index.ts';

const CRD_FILE = new URL('../fixtures/kaito-v0.12/kaito.sh_workspaces.yaml', import.meta.url);

/** Kaito v0.12.0's `workspaces.kaito.sh` CRD. */
export function kaitoWorkspaceCrd(): KubeObject {
  const docs = parseAllDocuments(readFileSync(CRD_FILE, 'utf8')).filter((d) => d.contents !== null);
  return docs[0]!.toJS() as KubeObject;
}

export const KAITO_RELEASE = { name: 'kaito-workspace', namespace: 'kaito-workspace' } as const;

/** The CRD as `helm install kaito-workspace kaito/workspace` leaves it (a template, so Helm owns it). */
export function kaitoHelmOwnedCrd(): KubeObject {
  const crd = kaitoWorkspaceCrd();
  crd.metadata.labels = { 'app.kubernetes.io/managed-by': 'Helm' };
  crd.metadata.annotations = {
    ...crd.metadata.annotations,
    'meta.helm.sh/release-name': KAITO_RELEASE.name,
    'meta.helm.sh/release-namespace': KAITO_RELEASE.namespace,
  };
  return crd;
}

const labels = {
  'app.kubernetes.io/name': 'workspace',
  'app.kubernetes.io/instance': KAITO_RELEASE.name,
  'app.kubernetes.io/managed-by': 'Helm',
  'helm.sh/chart': 'workspace-0.12.0',
};

/** The Kaito workspace controller Deployment of the v0.12 chart. */
export function kaitoControllerDeployment(): KubeObject {
  const selector = {
    'app.kubernetes.io/name': 'workspace',
    'app.kubernetes.io/instance': KAITO_RELEASE.name,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: KAITO_RELEASE.name, namespace: KAITO_RELEASE.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: selector },
        spec: {
          serviceAccountName: 'kaito-workspace-sa',
          containers: [
            {
              name: 'workspace',
              image: 'mcr.microsoft.com/aks/kaito/workspace:0.12.0',
              args: ['--feature-gates=vLLM=true', '--webhook-port=9443'],
            },
          ],
        },
      },
    },
    status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 },
  };
}

/** Kaito's validating webhook for Workspaces. */
export function kaitoWebhook(): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'validation.workspace.kaito.sh', labels },
    webhooks: [
      {
        name: 'validation.workspace.kaito.sh',
        admissionReviewVersions: ['v1'],
        clientConfig: {
          service: { name: 'kaito-workspace', namespace: KAITO_RELEASE.namespace, port: 9443 },
        },
        failurePolicy: 'Fail',
        sideEffects: 'None',
        rules: [
          {
            apiGroups: ['kaito.sh'],
            apiVersions: ['v1alpha1', 'v1beta1'],
            resources: ['workspaces'],
            operations: ['CREATE', 'UPDATE'],
          },
        ],
      },
    ],
  };
}
