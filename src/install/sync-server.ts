/**
 * The sync server as Kubernetes objects: a Deployment running `kaito-gitops sync --listen` (one
 * replica: isomorphic-git and the deploy branch want one writer per cluster), reading its git token
 * and webhook secret from a Secret the operator creates, and a Service for the webhook. Built with
 * cdk8s' typed Kubernetes objects, as the agent's manifests are (agent-manifests.ts).
 */
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { ChartObject } from './agent-manifests.ts';
import { REPORT_SECRET, SYNC_NAMESPACE, SYNC_SECRET, type Resolved } from './bootstrap-options.ts';
import { PART_OF } from './identity.ts';

const LABELS = { 'app.kubernetes.io/name': 'kaito-gitops-sync', ...PART_OF };
const SECRET_DIR = '/etc/kaito-gitops';
const NAME = 'kaito-gitops-sync';

export function syncServerObjects(options: Resolved): ChartObject[] {
  const args = [
    'sync',
    '--source',
    options.source,
    '--source-ref',
    options.sourceRef,
    '--source-path',
    options.sourcePath,
    '--target',
    options.repo,
    '--target-branch',
    options.branch,
    '--target-path',
    options.path,
    '--interval',
    options.interval,
    '--listen',
    ':8080',
    '--cache-dir',
    '/var/cache/kaito-gitops',
    ...(options.fluxUnits ? ['--flux-units'] : []),
    ...(options.report === undefined ? [] : ['--report', options.report.provider]),
    ...(options.report?.apiUrl === undefined ? [] : ['--report-api-url', options.report.apiUrl]),
  ];
  const http = k8s.IntOrString.fromString('http');
  const probe = (path: string) => ({ httpGet: { path, port: http }, periodSeconds: 10 });
  const metadata = { name: NAME, namespace: SYNC_NAMESPACE, labels: LABELS };
  const chart = new Chart(new App(), 'kaito-gitops-sync', { disableResourceNameHashes: true });
  new k8s.KubeNamespace(chart, 'namespace', { metadata: { name: SYNC_NAMESPACE, labels: LABELS } });
  new k8s.KubeDeployment(chart, 'deployment', {
    metadata,
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'sync',
              image: options.image,
              args,
              env: [
                { name: 'KAITO_GITOPS_GIT_TOKEN_FILE', value: `${SECRET_DIR}/token` },
                { name: 'KAITO_GITOPS_WEBHOOK_SECRET_FILE', value: `${SECRET_DIR}/webhook-secret` },
              ],
              ...(options.report !== undefined && {
                envFrom: [{ secretRef: { name: REPORT_SECRET, optional: true } }],
              }),
              ports: [{ name: 'http', containerPort: 8080 }],
              livenessProbe: probe('/healthz'),
              readinessProbe: probe('/readyz'),
              resources: {
                requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') },
                limits: { memory: k8s.Quantity.fromString('1Gi') },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'credentials', mountPath: SECRET_DIR, readOnly: true },
                { name: 'cache', mountPath: '/var/cache/kaito-gitops' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'credentials', secret: { secretName: SYNC_SECRET } },
            { name: 'cache', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  });
  new k8s.KubeService(chart, 'service', {
    metadata,
    spec: { selector: LABELS, ports: [{ name: 'http', port: 80, targetPort: http }] },
  });
  return chart.toJson() as ChartObject[];
}
