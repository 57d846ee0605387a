import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-api-server/index.ts';
import { failure } from './helpers.ts';

let server: KubeApiServer;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let leases: k8s.CoordinationV1Api;

beforeAll(async () => {
  server = await startKubeApiServer();
  const kc = server.kubeConfig();
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  leases = kc.makeApiClient(k8s.CoordinationV1Api);
});
afterAll(() => server.close());

describe('CRUD through CoreV1Api and AppsV1Api', () => {
  it('creates with uid, creationTimestamp and resourceVersion (no generation for a ConfigMap), then reads it back', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'settings' }, data: { a: '1' } },
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(created.metadata?.generation).toBeUndefined();
    const read = await core.readNamespacedConfigMap({ name: 'settings', namespace: 'default' });
    expect(read.data).toEqual({ a: '1' });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('answers AlreadyExists, NotFound and a missing namespace with the real codes', async () => {
    const body = { metadata: { name: 'dup' } };
    await core.createNamespacedConfigMap({ namespace: 'default', body });
    expect(await failure(core.createNamespacedConfigMap({ namespace: 'default', body }))).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'configmaps "dup" already exists',
    });
    expect(await failure(core.readNamespacedConfigMap({ name: 'nope', namespace: 'default' }))).toMatchObject(
      {
        code: 404,
        reason: 'NotFound',
        message: 'configmaps "nope" not found',
      },
    );
    expect(await failure(core.createNamespacedConfigMap({ namespace: 'missing', body }))).toMatchObject({
      code: 404,
      message: 'namespaces "missing" not found',
    });
  });

  it('refuses a create that carries a resourceVersion', async () => {
    const body = { metadata: { name: 'with-rv', resourceVersion: '5' } };
    expect(await failure(core.createNamespacedConfigMap({ namespace: 'default', body }))).toMatchObject({
      code: 400,
      message: 'resourceVersion should not be set on objects to be created',
    });
  });

  it('fills generateName with a random suffix', async () => {
    const a = await core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { generateName: 'token-' } },
    });
    const b = await core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { generateName: 'token-' } },
    });
    expect(a.metadata?.name).toMatch(/^token-[a-z0-9]{5}$/);
    expect(a.metadata?.name).not.toBe(b.metadata?.name);
  });

  it('refuses a create without name or generateName as Invalid', async () => {
    expect(
      await failure(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: {} } })),
    ).toMatchObject({
      code: 422,
      reason: 'Invalid',
    });
  });

  it('rejects an update with a stale resourceVersion (409 Conflict) and accepts the fresh one', async () => {
    const lease = await leases.createNamespacedLease({
      namespace: 'default',
      body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'a' } },
    });
    const fresh = await leases.replaceNamespacedLease({
      name: 'leader',
      namespace: 'default',
      body: { ...lease, spec: { holderIdentity: 'b' } },
    });
    expect(fresh.spec?.holderIdentity).toBe('b');
    expect(Number(fresh.metadata?.resourceVersion)).toBeGreaterThan(Number(lease.metadata?.resourceVersion));
    const stale = failure(
      leases.replaceNamespacedLease({
        name: 'leader',
        namespace: 'default',
        body: { ...lease, spec: { holderIdentity: 'c' } },
      }),
    );
    expect(await stale).toMatchObject({ code: 409, reason: 'Conflict' });
    expect((await stale).message).toContain('the object has been modified');
  });

  it('bumps generation on spec changes only, never on metadata', async () => {
    const dep = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'c', image: 'nginx' }] },
          },
        },
      },
    });
    expect(dep.metadata?.generation).toBe(1);
    const labelled = await apps.replaceNamespacedDeployment({
      name: 'web',
      namespace: 'default',
      body: { ...dep, metadata: { ...dep.metadata, labels: { tier: 'front' } } },
    });
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = await apps.replaceNamespacedDeployment({
      name: 'web',
      namespace: 'default',
      body: { ...labelled, spec: { ...labelled.spec!, replicas: 3 } },
    });
    expect(scaled.metadata?.generation).toBe(2);
  });

  it('treats an update that changes nothing as a no-op: same resourceVersion', async () => {
    const cm = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'still' }, data: { x: 'y' } },
    });
    const again = await core.replaceNamespacedConfigMap({ name: 'still', namespace: 'default', body: cm });
    expect(again.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
  });

  it('serves cluster-scoped nodes and lists with a resourceVersion', async () => {
    await core.createNode({ body: { metadata: { name: 'gpu-node-1', labels: { pool: 'gpu' } } } });
    const list = await core.listNode();
    expect(list.items.map((n) => n.metadata?.name)).toEqual(['gpu-node-1']);
    expect(Number(list.metadata?.resourceVersion)).toBe(server.resourceVersion());
  });

  it('deletes: a built-in answers a Success Status, and the object is gone', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'bye' } } });
    const status = await core.deleteNamespacedConfigMap({ name: 'bye', namespace: 'default' });
    expect(status.status).toBe('Success');
    expect(await failure(core.readNamespacedConfigMap({ name: 'bye', namespace: 'default' }))).toMatchObject({
      code: 404,
    });
  });

  it('counts requests by verb and resource', async () => {
    server.requests.reset();
    await core.listNamespacedPod({ namespace: 'default' });
    await core.readNamespace({ name: 'default' });
    await core.readNamespace({ name: 'default' });
    expect(server.requests.snapshot()).toEqual({ 'get namespaces': 2, 'list pods': 1 });
    expect(server.requests.count({ verb: 'get' })).toBe(2);
  });
});

describe('paginated lists', () => {
  it('pages with limit and continue, and expires the token after compaction', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) {
      await core.createNamespacedService({ namespace: 'default', body: { metadata: { name } } });
    }
    const first = await core.listNamespacedService({ namespace: 'default', limit: 2 });
    expect(first.items.map((s) => s.metadata?.name)).toEqual(['page-a', 'page-b']);
    expect(first.metadata?.remainingItemCount).toBe(1);
    const second = await core.listNamespacedService({
      namespace: 'default',
      limit: 2,
      _continue: first.metadata!._continue!,
    });
    expect(second.items.map((s) => s.metadata?.name)).toEqual(['page-c']);
    expect(second.metadata?._continue).toBeUndefined();
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    await core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'page-d' } } });
    server.compact();
    const expired = await failure(
      core.listNamespacedService({ namespace: 'default', limit: 2, _continue: first.metadata!._continue! }),
    );
    expect(expired).toMatchObject({ code: 410, reason: 'Expired' });
  });
});
