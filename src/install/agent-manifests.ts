/**
 * The objects that install the agent, built with cdk8s from chart values and the release's identity
 * (names scoped to the release, its labels and namespace: chart-release.ts): ServiceAccount,
 * least-privilege RBAC, the leader-election Role, and the Deployment. Pure: values in, objects out; the
 * Helm templates and the plain `kubectl apply -k` manifests are both derived from this one function.
 */
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import {
  releaseLabels,
  releaseNames,
  selectorLabels,
  type Release,
  type ReleaseNames,
} from './chart-release.ts';
import type { ChartValues } from './values.ts';
import { AGENT_MEMORY, agentNodeOptions } from './agent-resources.ts';
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

/** The agent serves /healthz, /readyz and /metrics on one port (`--metrics-addr`). */
export const PORT = 8081;
/** Liveness: the process answers. Readiness: it reaches the API server and its caches are synced. */
export const PROBE_PATHS = { liveness: '/healthz', readiness: '/readyz' } as const;

/** Who the objects belong to: a release's names, labels and namespace (or stand-ins for templating). */
export interface Identity {
  names: ReleaseNames;
  labels: Record<string, string>;
  selector: Record<string, string>;
  namespace: string;
}

/** The identity of a release of chart version `chartVersion`. */
export function releaseIdentity(release: Release, chartVersion: string): Identity {
  return {
    names: releaseNames(release),
    labels: releaseLabels(release, chartVersion),
    selector: selectorLabels(release),
    namespace: release.namespace,
  };
}

export const WORKLOAD_IDENTITY = {
  clientIdAnnotation: 'azure.workload.identity/client-id',
  useLabel: 'azure.workload.identity/use',
} as const;

/**
 * The agent's command line, as `kaito-gitops agent` parses it (a test runs these through the real
 * parser). The Lease is named after the release, in POD_NAMESPACE (the release namespace).
 */
export function agentArgs(values: ChartValues, names: ReleaseNames): string[] {
  return [
    'agent',
    `--provisioner=${values.provisioner}`,
    `--lease-name=${names.agent}`,
    `--metrics-addr=:${PORT}`,
    ...(values.coexist ? ['--coexist'] : []),
    `--report=${values.report.provider}`,
    `--report-api-url=${values.report.apiUrl}`,
  ];
}

/**
 * POD_NAME and POD_NAMESPACE (the Lease's namespace), NODE_OPTIONS (the V8 heap the chart's memory is
 * sized for); for aks the cluster the agent pools belong to.
 */
function env(values: ChartValues): k8s.EnvVar[] {
  const fromField = (name: string, fieldPath: string): k8s.EnvVar => ({
    name,
    valueFrom: { fieldRef: { fieldPath } },
  });
  const vars = [
    fromField('POD_NAME', 'metadata.name'),
    fromField('POD_NAMESPACE', 'metadata.namespace'),
    { name: 'NODE_OPTIONS', value: agentNodeOptions() },
  ];
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
export function agentManifests(values: ChartValues, identity: Identity): ChartObject[] {
  const { names, labels, selector, namespace } = identity;
  const chart = new Chart(new App(), 'kaito-gitops', { disableResourceNameHashes: true });
  // aks: the pod gets an Azure token for the managed identity federated with its ServiceAccount.
  const aks = values.provisioner === 'aks';

  new k8s.KubeServiceAccount(chart, 'service-account', {
    metadata: {
      name: names.agent,
      namespace,
      labels,
      ...(aks ? { annotations: { [WORKLOAD_IDENTITY.clientIdAnnotation]: values.azure.clientId } } : {}),
    },
  });
  new k8s.KubeClusterRole(chart, 'cluster-role', {
    metadata: { name: names.clusterRole, labels },
    rules: clusterRules(values.provisioner),
  });
  new k8s.KubeClusterRoleBinding(chart, 'cluster-role-binding', {
    metadata: { name: names.clusterRole, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: names.clusterRole },
    subjects: [{ kind: 'ServiceAccount', name: names.agent, namespace }],
  });
  new k8s.KubeRole(chart, 'lease-role', {
    metadata: { name: names.leaseRole, namespace, labels },
    rules: leaseRules(names.agent),
  });
  new k8s.KubeRoleBinding(chart, 'lease-role-binding', {
    metadata: { name: names.leaseRole, namespace, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.leaseRole },
    subjects: [{ kind: 'ServiceAccount', name: names.agent, namespace }],
  });

  const probe = (path: string): k8s.Probe => ({
    httpGet: { path, port: k8s.IntOrString.fromString('http') },
    periodSeconds: 10,
  });
  new k8s.KubeDeployment(chart, 'deployment', {
    metadata: { name: names.agent, namespace, labels },
    spec: {
      replicas: values.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...labels, ...(aks ? { [WORKLOAD_IDENTITY.useLabel]: 'true' } : {}) } },
        spec: {
          serviceAccountName: names.agent,
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
              args: agentArgs(values, names),
              env: env(values),
              // live status credentials: the Secret's keys as environment; absent, live status has none
              envFrom: [{ secretRef: { name: values.report.secretName, optional: true } }],
              ports: [{ name: 'http', containerPort: PORT, protocol: 'TCP' }],
              livenessProbe: { ...probe(PROBE_PATHS.liveness), initialDelaySeconds: 10 },
              readinessProbe: probe(PROBE_PATHS.readiness),
              resources: {
                requests: {
                  cpu: k8s.Quantity.fromString('100m'),
                  memory: k8s.Quantity.fromString(`${AGENT_MEMORY.requestMiB}Mi`),
                },
                limits: { memory: k8s.Quantity.fromString(`${AGENT_MEMORY.limitMiB}Mi`) },
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
export function namespaceManifest(identity: Identity): ChartObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: identity.namespace, labels: identity.labels },
  };
}
