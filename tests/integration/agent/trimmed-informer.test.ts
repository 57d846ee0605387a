/** The agent's informer caches against the API test server: lists read in pages, objects trimmed. */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-api-server/index.ts';
import { ClusterInformers } from '../../../src/agent/kube/informers.ts';
import { PAGE_SIZE } from '../../../src/agent/kube/trimmed-informer.ts';
import { workspaceObjects } from '../../support/cluster-objects.ts';

let server: KubeApiServer;
const count = PAGE_SIZE * 2 + 7;

beforeAll(async () => {
  server = await startKubeApiServer();
  for (let i = 0; i < count; i++) for (const object of workspaceObjects(i)) server.seed(object);
});
afterAll(async () => {
  await server.close();
});

it('lists every object in pages, keeps trimmed objects, and trims what the watch brings', async () => {
  const enqueued = new Set<string>();
  const informers = new ClusterInformers(
    server.kubeConfig(),
    { enqueue: (key) => enqueued.add(key), unlabelledNode: () => undefined, error: () => undefined },
    { watchNodeClaims: false },
  );
  server.requests.reset();
  await informers.start();
  try {
    expect(informers.pods.list()).toHaveLength(count);
    expect(informers.nodes.list()).toHaveLength(count);
    expect(informers.workspaceKeys()).toHaveLength(count);
    expect(enqueued.size).toBe(count);
    // Three pages per kind, not one response holding every object.
    expect(server.requests.snapshot()['list pods']).toBe(3);
    const pod = informers.pods.get('ws-3-7d9f8b6c5d-x2k4p', 'default');
    expect(pod?.metadata?.managedFields).toBeUndefined();
    expect(pod?.spec).toBeUndefined();
    expect(pod?.status?.containerStatuses?.[0]?.ready).toBe(true);
    expect(informers.nodes.get('node-3')?.status?.images).toBeUndefined();
    expect(informers.workspaces.get('ws-3', 'default')?.metadata?.managedFields).toBeUndefined();

    const core = server.kubeConfig().makeApiClient(k8s.CoreV1Api);
    await core.patchNode(
      { name: 'node-3', body: { metadata: { labels: { changed: 'yes' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await vi.waitFor(() => expect(informers.nodes.get('node-3')?.metadata?.labels?.['changed']).toBe('yes'));
    const watched = informers.nodes.get('node-3');
    expect(watched?.status?.images).toBeUndefined();
    expect(watched?.metadata?.managedFields).toBeUndefined();
    expect(watched?.status?.capacity?.['nvidia.com/gpu']).toBe('1');
  } finally {
    await informers.stop();
  }
});
