/**
 * The objects that install the agent, built with cdk8s from chart values: ServiceAccount, least-privilege
 * RBAC, the leader-election Role, and the Deployment. Pure: values in, objects out; the Helm templates
 * and the plain `kubectl apply -k` manifests are both derived from this one function.
 */
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { PART_OF } from './identity.ts';
import type { ChartValues } from './values.ts';
import { clusterRules, leaseRules } from './rbac.ts';

/** A Kubernetes object as JSON. */
export interface ChartObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export const NAMES = {
  serviceAccount: 'kaito-gitops',
  clusterRole: 'kaito-gitops-agent',
  leaseRole: 'kaito-gitops-leader-election',
  deployment: 'kaito-gitops-agent',
  /** The Lease the agent replicas elect a leader with. */
  lease: 'kaito-gitops-agent',
} as const;

/** The agent serves /healthz, /readyz and /metrics on one port (`--metrics-addr`). */
export const PORT = 8081;
export const HEALTH_PATH = '/healthz';

const SELECTOR = { 'app.kubernetes.io/name': 'kaito-gitops', 'app.kubernetes.io/component': 'agent' };
const LABELS = { ...SELECTOR, ...PART_OF };

export const WORKLOAD_IDENTITY = {
  clientIdAnnotation: 'azure.workload.identity/client-id',
  useLabel: 'azure.workload.identity/use',
} as const;

/**
 * The agent's command line, as `kaito-gitops agent` parses it (a test runs these through the real
 * parser). The Lease namespace comes from POD_NAMESPACE, the release namespace.
 */
export function agentArgs(values: ChartValues): string[] {
  return [
    'agent',
    `--provisioner=${values.provisioner}`,
    `--lease-name=${NAMES.lease}`,
    `--metrics-addr=:${PORT}`,
    `--report=${values.report.provider}`,
    `--report-api-url=${values.report.apiUrl}`,
  ];
}

/** POD_NAME and POD_NAMESPACE (the Lease's namespace); for aks the cluster the agent pools belong to. */
function env(values: ChartValues): k8s.EnvVar[] {
  const fromField = (name: string, fieldPath: string): k8s.EnvVar => ({
    name,
    valueFrom: { fieldRef: { fieldPath } },
  });
  const vars = [fromField('POD_NAME', 'metadata.name'), fromField('POD_NAMESPACE', 'metadata.namespace')];
  if (values.provisioner === 'aks') {
    vars.push(
      { name: 'AZURE_SUBSCRIPTION_ID', value: values.azure.subscriptionId },
      { name: 'AZURE_RESOURCE_GROUP', value: values.azure.resourceGroup },
      { name: 'AZURE_CLUSTER_NAME', value: values.azure.clusterName },
    );
  }
  return vars;
}

/** Every object of the installation (the CRD apart: it is the api folder's), in apply order. */
export function agentManifests(values: ChartValues, namespace: string): ChartObject[] {
  const chart = new Chart(new App(), 'kaito-gitops', { disableResourceNameHashes: true });
  // aks: the pod gets an Azure token for the managed identity federated with its ServiceAccount.
  const aks = values.provisioner === 'aks';

  new k8s.KubeServiceAccount(chart, 'service-account', {
    metadata: {
      name: NAMES.serviceAccount,
      namespace,
      labels: LABELS,
      ...(aks ? { annotations: { [WORKLOAD_IDENTITY.clientIdAnnotation]: values.azure.clientId } } : {}),
    },
  });
  new k8s.KubeClusterRole(chart, 'cluster-role', {
    metadata: { name: NAMES.clusterRole, labels: LABELS },
    rules: clusterRules(values.provisioner),
  });
  new k8s.KubeClusterRoleBinding(chart, 'cluster-role-binding', {
    metadata: { name: NAMES.clusterRole, labels: LABELS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAMES.clusterRole },
    subjects: [{ kind: 'ServiceAccount', name: NAMES.serviceAccount, namespace }],
  });
  new k8s.KubeRole(chart, 'lease-role', {
    metadata: { name: NAMES.leaseRole, namespace, labels: LABELS },
    rules: leaseRules(NAMES.lease),
  });
  new k8s.KubeRoleBinding(chart, 'lease-role-binding', {
    metadata: { name: NAMES.leaseRole, namespace, labels: LABELS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAMES.leaseRole },
    subjects: [{ kind: 'ServiceAccount', name: NAMES.serviceAccount, namespace }],
  });

  const probe: k8s.Probe = {
    httpGet: { path: HEALTH_PATH, port: k8s.IntOrString.fromString('http') },
    periodSeconds: 10,
  };
  new k8s.KubeDeployment(chart, 'deployment', {
    metadata: { name: NAMES.deployment, namespace, labels: LABELS },
    spec: {
      replicas: values.replicas,
      selector: { matchLabels: SELECTOR },
      template: {
        metadata: { labels: { ...LABELS, ...(aks ? { [WORKLOAD_IDENTITY.useLabel]: 'true' } : {}) } },
        spec: {
          serviceAccountName: NAMES.serviceAccount,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'agent',
              image: `${values.image.repository}:${values.image.tag}`,
              imagePullPolicy: values.image.pullPolicy,
              args: agentArgs(values),
              env: env(values),
              // live status credentials: the Secret's keys as environment; absent, live status has none
              envFrom: [{ secretRef: { name: values.report.secretName, optional: true } }],
              ports: [{ name: 'http', containerPort: PORT, protocol: 'TCP' }],
              livenessProbe: { ...probe, initialDelaySeconds: 10 },
              readinessProbe: probe,
              resources: {
                requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') },
                limits: { memory: k8s.Quantity.fromString('1Gi') },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  });
  return chart.toJson() as ChartObject[];
}

/** The namespace object, for the plain `kubectl apply -k` route (Helm uses `--create-namespace`). */
export function namespaceManifest(namespace: string): ChartObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: LABELS } };
}
