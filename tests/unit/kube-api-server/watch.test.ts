import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-api-server/index.ts';
import { eventually, merge, workspace } from './helpers.ts';

let server: KubeApiServer;
let kc: k8s.KubeConfig;
let api: k8s.CustomObjectsApi;
const path = '/apis/kaito.sh/v1beta1/namespaces/default/workspaces';
const coll = { group: 'kaito.sh', version: 'v1beta1', namespace: 'default', plural: 'workspaces' };
const stops: (() => unknown)[] = [];

beforeAll(async () => {
  server = await startKubeApiServer();
  kc = server.kubeConfig();
  api = kc.makeApiClient(k8s.CustomObjectsApi);
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const item of server.list('kaito.sh/v1beta1', 'Workspace', 'default')) {
    await api.deleteNamespacedCustomObject({ ...coll, name: item.metadata.name! });
  }
});
afterAll(() => server.close());

interface Seen {
  type: string;
  name: string;
  rv: string;
  code?: number;
}

async function watch(
  query: Record<string, string | number | boolean>,
  watchPath = path,
): Promise<{ seen: Seen[]; done: unknown[] }> {
  const seen: Seen[] = [];
  const done: unknown[] = [];
  const ac = await new k8s.Watch(kc).watch(
    watchPath,
    query,
    (type, obj: { metadata?: { name?: string; resourceVersion?: string }; code?: number }) =>
      seen.push({
        type,
        name: obj.metadata?.name ?? '',
        rv: obj.metadata?.resourceVersion ?? '',
        ...(obj.code ? { code: obj.code } : {}),
      }),
    (err) => done.push(err ?? 'closed'),
  );
  stops.push(() => ac.abort());
  return { seen, done };
}

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED from a resourceVersion, with the event resourceVersions', async () => {
    const from = String(server.resourceVersion());
    const { seen } = await watch({ resourceVersion: from });
    await api.createNamespacedCustomObject({ ...coll, body: workspace('w1') });
    await api.patchNamespacedCustomObject({ ...coll, name: 'w1', body: { resource: { count: 2 } } }, merge);
    await api.deleteNamespacedCustomObject({ ...coll, name: 'w1' });
    await eventually(() =>
      expect(seen.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED w1', 'MODIFIED w1', 'DELETED w1']),
    );
    const rvs = seen.map((e) => Number(e.rv));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(rvs[0]).toBeGreaterThan(Number(from));
  });

  it('replays what happened after an old resourceVersion, and sends the current state without one', async () => {
    const from = String(server.resourceVersion());
    await api.createNamespacedCustomObject({ ...coll, body: workspace('w2') });
    await api.createNamespacedCustomObject({ ...coll, body: workspace('w3') });
    const replay = await watch({ resourceVersion: from });
    const fresh = await watch({});
    await eventually(() =>
      expect(replay.seen.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED w2', 'ADDED w3']),
    );
    await eventually(() =>
      expect(fresh.seen.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED w2', 'ADDED w3']),
    );
  });

  it('filters by label selector and turns selector transitions into ADDED and DELETED', async () => {
    const { seen } = await watch({
      resourceVersion: String(server.resourceVersion()),
      labelSelector: 'tier in (gpu),!legacy',
    });
    await api.createNamespacedCustomObject({ ...coll, body: workspace('w4') });
    await api.patchNamespacedCustomObject(
      { ...coll, name: 'w4', body: { metadata: { labels: { tier: 'gpu' } } } },
      merge,
    );
    await api.patchNamespacedCustomObject(
      { ...coll, name: 'w4', body: { metadata: { labels: { legacy: 'yes' } } } },
      merge,
    );
    await eventually(() =>
      expect(seen.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED w4', 'DELETED w4']),
    );
  });

  it('sends BOOKMARKs only to watches that allow them', async () => {
    const marked = await watch({
      resourceVersion: String(server.resourceVersion()),
      allowWatchBookmarks: true,
    });
    const plain = await watch({ resourceVersion: String(server.resourceVersion()) });
    await api.createNamespacedCustomObject({ ...coll, body: workspace('w5') });
    server.bookmark();
    await eventually(() => expect(marked.seen.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']));
    expect(marked.seen[1]?.rv).toBe(String(server.resourceVersion()));
    await eventually(() => expect(plain.seen.map((e) => e.type)).toEqual(['ADDED']));
  });

  it('answers a resourceVersion older than the compaction point with an ERROR event carrying 410', async () => {
    const old = String(server.resourceVersion());
    await api.createNamespacedCustomObject({ ...coll, body: workspace('w6') });
    server.compact();
    const { seen, done } = await watch({ resourceVersion: old });
    await eventually(() => expect(done).toEqual(['closed']));
    expect(seen).toEqual([{ type: 'ERROR', name: '', rv: '', code: 410 }]);
  });

  it('ends the stream after timeoutSeconds and on dropWatches, and tracks open watches', async () => {
    const short = await watch({ timeoutSeconds: 1 });
    await eventually(() => expect(short.done).toEqual(['closed']), 3000);
    const long = await watch({});
    expect(server.openWatches()).toBe(1);
    server.dropWatches();
    await eventually(() => expect(long.done).toEqual(['closed']));
    expect(server.openWatches()).toBe(0);
  });

  it('forgets a watch when the client goes away', async () => {
    const ac = await new k8s.Watch(kc).watch(
      path,
      {},
      () => {},
      () => {},
    );
    await eventually(() => expect(server.openWatches()).toBe(1));
    ac.abort();
    await eventually(() => expect(server.openWatches()).toBe(0));
  });
});

describe('informer', () => {
  it('lists, watches, and relists after a 410 without losing changes', async () => {
    await api.createNamespacedCustomObject({ ...coll, body: workspace('i1') });
    const informer = k8s.makeInformer(kc, path, () => api.listNamespacedCustomObject(coll));
    const names = () =>
      informer
        .list('default')
        .map((o) => o.metadata?.name)
        .sort();
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    stops.push(() => informer.stop());
    expect(names()).toEqual(['i1']);
    server.requests.reset();
    await api.createNamespacedCustomObject({ ...coll, body: workspace('i2') });
    await eventually(() => expect(names()).toEqual(['i1', 'i2']));
    // Other kinds move the global resourceVersion past the informer's; then the apiserver compacts and
    // restarts: the informer re-watches from its old resourceVersion, gets 410, and must relist.
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'elsewhere' } } });
    server.compact();
    server.dropWatches();
    await eventually(() =>
      expect(server.requests.count({ verb: 'list', resource: 'workspaces.kaito.sh' })).toBe(1),
    );
    await api.createNamespacedCustomObject({ ...coll, body: workspace('i3') });
    await api.deleteNamespacedCustomObject({ ...coll, name: 'i1' });
    await eventually(() => expect(names()).toEqual(['i2', 'i3']));
    expect(server.requests.count({ verb: 'watch', resource: 'workspaces.kaito.sh' })).toBe(2);
    expect(errors).toEqual([]);
  });
});
