/**
 * The agent reads what the tuning pod's pusher left in its termination message: the pushed
 * `image@sha256:...` goes to `status.tuning.outputImage`, a failed push becomes the JobStarted and
 * WorkspaceSucceeded reason with the registry's words. The test plays the Job controller and kubelet.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAgent, type RunningAgent } from '../../../src/agent/agent.ts';
import { readCatalog } from '../../../src/catalog/index.ts';
import { silentLogger } from '../../../src/observe/index.ts';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-api-server/index.ts';
import { testAgentConfig } from '../../support/agent-config.ts';

let server: KubeApiServer;
let running: RunningAgent;
let custom: k8s.CustomObjectsApi;

beforeAll(async () => {
  server = await startKubeApiServer({ bookmarkIntervalMs: 200 });
  const kc = server.kubeConfig();
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
  running = await startAgent(
    kc,
    testAgentConfig(await readCatalog(), { name: 'agent-tuning', identity: 't-1' }),
    silentLogger,
  );
});

afterAll(async () => {
  await running?.stop();
  await server?.close();
});

async function tuningWorkspace(name: string): Promise<void> {
  await custom.createNamespacedCustomObject({
    group: 'kaito.sh',
    version: 'v1beta1',
    plural: 'workspaces',
    namespace: 'default',
    body: {
      apiVersion: 'kaito.sh/v1beta1',
      kind: 'Workspace',
      metadata: { name, namespace: 'default' },
      resource: { instanceType: 'Standard_NC24ads_A100_v4', labelSelector: { matchLabels: { app: name } } },
      tuning: {
        preset: { name: 'phi-3-mini-128k-instruct' },
        method: 'qlora',
        input: { urls: ['https://example.com/data.parquet'] },
        output: { image: `registry.example/adapters/${name}:0.0.1`, imagePushSecret: 'push' },
      },
    },
  });
}

/** A finished Job and its pod, the pusher terminated with `exitCode` and `message`. */
function finishedJob(name: string, exitCode: number, message: string): void {
  const labels = { 'kaito.sh/workspace': name, 'app.kubernetes.io/managed-by': 'kaito-gitops' };
  const failed = exitCode !== 0;
  server.seed({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', labels },
    spec: { template: {} },
    status: failed
      ? {
          failed: 1,
          conditions: [
            {
              type: 'Failed',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
            },
          ],
        }
      : { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
  });
  server.seed({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${name}-abcde`, namespace: 'default', labels },
    spec: {
      containers: [
        { name, image: 'kaito-base' },
        { name: 'pusher', image: 'kaito-gitops' },
      ],
    },
    status: {
      phase: failed ? 'Failed' : 'Succeeded',
      containerStatuses: [
        {
          name,
          ready: false,
          restartCount: 0,
          image: 'kaito-base',
          imageID: '',
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        },
        {
          name: 'pusher',
          ready: false,
          restartCount: 0,
          image: 'kaito-gitops',
          imageID: '',
          state: { terminated: { exitCode, reason: failed ? 'Error' : 'Completed', message } },
        },
      ],
    },
  });
}

const status = (name: string) =>
  server.get('kaito.sh/v1beta1', 'Workspace', name, 'default')?.status as
    | {
        tuning?: { outputImage?: string };
        state?: string;
        conditions?: { type: string; status: string; reason: string; message: string }[];
      }
    | undefined;
const condition = (name: string, type: string) => status(name)?.conditions?.find((c) => c.type === type);

describe('tuning output', () => {
  it('writes the pushed digest into status.tuning.outputImage when the Job completed', async () => {
    const pushed = `registry.example/adapters/tuned:0.0.1@sha256:${'c'.repeat(64)}`;
    await tuningWorkspace('tuned');
    finishedJob('tuned', 0, pushed);
    await vi.waitFor(() => expect(status('tuned')?.tuning?.outputImage).toBe(pushed), { timeout: 5000 });
    expect(status('tuned')?.state).toBe('Succeeded');
    expect(condition('tuned', 'WorkspaceSucceeded')).toMatchObject({
      status: 'True',
      reason: 'workspaceSucceeded',
    });
  });

  it("turns a failed push into the JobStarted and WorkspaceSucceeded reason, with the registry's message", async () => {
    const reason =
      'registry.example/adapters/denied: start blob upload: 403 DENIED: requested access to the resource is denied';
    await tuningWorkspace('denied');
    finishedJob('denied', 3, reason);
    await vi.waitFor(() => expect(condition('denied', 'JobStarted')?.reason).toBe('AdapterImagePushFailed'), {
      timeout: 5000,
    });
    expect(condition('denied', 'JobStarted')?.message).toBe(`pushing the adapter image failed: ${reason}`);
    expect(condition('denied', 'WorkspaceSucceeded')).toMatchObject({
      status: 'False',
      reason: 'workspaceFailed',
    });
    expect(condition('denied', 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'AdapterImagePushFailed',
    });
    expect(status('denied')?.tuning).toBeUndefined();
  });
});
