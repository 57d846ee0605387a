/**
 * The sync server as Kubernetes objects: a Deployment running `kaito-gitops sync --listen` (one
 * replica: isomorphic-git and the deploy branch want one writer per cluster), reading its git token
 * and webhook secret from a Secret the operator creates, and a Service for the webhook.
 */
import { SYNC_NAMESPACE, SYNC_SECRET, type Resolved } from './bootstrap-options.ts';
import { PART_OF } from './identity.ts';

const LABELS = { 'app.kubernetes.io/name': 'kaito-gitops-sync', ...PART_OF };
const SECRET_DIR = '/etc/kaito-gitops';

export function syncServerObjects(options: Resolved): object[] {
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
  ];
  const probe = (path: string) => ({ httpGet: { path, port: 'http' }, periodSeconds: 10 });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYNC_NAMESPACE, labels: LABELS } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'kaito-gitops-sync', namespace: SYNC_NAMESPACE, labels: LABELS },
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
                ports: [{ name: 'http', containerPort: 8080 }],
                livenessProbe: probe('/healthz'),
                readinessProbe: probe('/readyz'),
                resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
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
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kaito-gitops-sync', namespace: SYNC_NAMESPACE, labels: LABELS },
      spec: { selector: LABELS, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
  ];
}
