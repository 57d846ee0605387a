/**
 * What the agent's scenario tests share: an agent configuration with a short lease, resync and retries, so
 * that a scenario settles in seconds, and the Deployment a Workspace's model runs in.
 */
import type { AgentConfig } from '../../src/agent/agent.ts';
import type { Catalog } from '../../src/catalog/index.ts';
import type { KubeObject } from './kube-api-server/index.ts';

export function testAgentConfig(
  catalog: Catalog,
  lease: { name: string; identity: string },
  overrides: Partial<AgentConfig> = {},
): AgentConfig {
  return {
    provisioner: 'nodeclaim',
    catalog,
    metrics: { host: '127.0.0.1', port: 0 },
    lease: { namespace: 'default', ...lease, durationMs: 1000, renewDeadlineMs: 800, retryPeriodMs: 100 },
    resyncMs: 300,
    notReadyRequeueMs: 100,
    baseRetryMs: 50,
    ...overrides,
  };
}

/**
 * The Deployment kaito-gitops rendered for Workspace `name` in `default`, with the status its controller
 * writes when `readyReplicas` of its one replica are Ready.
 */
export function workspaceDeployment(name: string, readyReplicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: 'default',
      labels: { 'kaito.sh/workspace': name, 'app.kubernetes.io/managed-by': 'kaito-gitops' },
    },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: {} },
    status: { replicas: 1, readyReplicas },
  };
}
