import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-api-server/index.ts';
import { eventually, failure, merge, workspace } from './helpers.ts';

let server: KubeApiServer;
let kc: k8s.KubeConfig;
let api: k8s.CustomObjectsApi;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
const ws = (name: string) => ({
  group: 'kaito.sh',
  version: 'v1beta1',
  namespace: 'default',
  plural: 'workspaces',
  name,
});
const coll = { group: 'kaito.sh', version: 'v1beta1', namespace: 'default', plural: 'workspaces' };

beforeAll(async () => {
  server = await startKubeApiServer();
  kc = server.kubeConfig();
  api = kc.makeApiClient(k8s.CustomObjectsApi);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
});
afterAll(() => server.close());

describe('finalizers', () => {
  it('keeps a deleted object with deletionTimestamp until the last finalizer goes, with MODIFIED then DELETED', async () => {
    const body = { ...workspace('fin'), metadata: { name: 'fin', finalizers: ['kaito.sh/a', 'kaito.sh/b'] } };
    const created = await api.createNamespacedCustomObject({ ...coll, body });
    const seen: string[] = [];
    const ac = await new k8s.Watch(kc).watch(
      '/apis/kaito.sh/v1beta1/namespaces/default/workspaces',
      { resourceVersion: created.metadata.resourceVersion, fieldSelector: 'metadata.name=fin' },
      (type) => seen.push(type),
      () => {},
    );
    const deleting = await api.deleteNamespacedCustomObject(ws('fin'));
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(deleting.metadata.generation).toBe(2);
    const added = await failure(
      api.patchNamespacedCustomObject(
        { ...ws('fin'), body: { metadata: { finalizers: ['kaito.sh/a', 'kaito.sh/b', 'late'] } } },
        merge,
      ),
    );
    expect(added).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(added.message).toContain('no new finalizers can be added if the object is being deleted');
    await api.patchNamespacedCustomObject(
      { ...ws('fin'), body: { metadata: { finalizers: ['kaito.sh/b'] } } },
      merge,
    );
    expect((await api.getNamespacedCustomObject(ws('fin'))).metadata.deletionTimestamp).toBeDefined();
    await api.patchNamespacedCustomObject({ ...ws('fin'), body: { metadata: { finalizers: null } } }, merge);
    expect(await failure(api.getNamespacedCustomObject(ws('fin')))).toMatchObject({ code: 404 });
    await eventually(() => expect(seen).toEqual(['MODIFIED', 'MODIFIED', 'DELETED']));
    ac.abort();
  });
});

describe('garbage collection by ownerReferences', () => {
  async function owned(name: string, owners: { name: string; uid: string }[]) {
    return apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: {
          name,
          ownerReferences: owners.map((o) => ({
            apiVersion: 'kaito.sh/v1beta1',
            kind: 'Workspace',
            name: o.name,
            uid: o.uid,
            controller: false,
          })),
        },
        spec: {
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name } }, spec: { containers: [] } },
        },
      },
    });
  }

  it('deletes dependents recursively in the background, keeps those with another live owner', async () => {
    const owner = await api.createNamespacedCustomObject({ ...coll, body: workspace('owner') });
    const other = await api.createNamespacedCustomObject({ ...coll, body: workspace('other') });
    const dep = await owned('dep', [{ name: 'owner', uid: owner.metadata.uid }]);
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: {
        metadata: {
          name: 'grandchild',
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'Deployment', name: 'dep', uid: dep.metadata!.uid! },
          ],
        },
      },
    });
    await owned('shared', [
      { name: 'owner', uid: owner.metadata.uid },
      { name: 'other', uid: other.metadata.uid },
    ]);
    await api.deleteNamespacedCustomObject(ws('owner'));
    expect(await failure(apps.readNamespacedDeployment({ name: 'dep', namespace: 'default' }))).toMatchObject(
      { code: 404 },
    );
    expect(
      await failure(core.readNamespacedConfigMap({ name: 'grandchild', namespace: 'default' })),
    ).toMatchObject({ code: 404 });
    const shared = await apps.readNamespacedDeployment({ name: 'shared', namespace: 'default' });
    expect(shared.metadata?.ownerReferences?.map((r) => r.name)).toEqual(['other']);
  });

  it('orphans dependents with propagationPolicy Orphan', async () => {
    const owner = await api.createNamespacedCustomObject({ ...coll, body: workspace('parent') });
    await owned('orphan', [{ name: 'parent', uid: owner.metadata.uid }]);
    await api.deleteNamespacedCustomObject({ ...ws('parent'), propagationPolicy: 'Orphan' });
    const orphan = await apps.readNamespacedDeployment({ name: 'orphan', namespace: 'default' });
    expect(orphan.metadata?.ownerReferences).toBeUndefined();
  });
});

describe('foreground deletion and namespace termination', () => {
  it('keeps a foreground-deleted owner until its blocking dependent is gone', async () => {
    const owner = await api.createNamespacedCustomObject({ ...coll, body: workspace('fg') });
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: {
        metadata: {
          name: 'fg-child',
          finalizers: ['test/hold'],
          ownerReferences: [
            {
              apiVersion: 'kaito.sh/v1beta1',
              kind: 'Workspace',
              name: 'fg',
              uid: owner.metadata.uid,
              blockOwnerDeletion: true,
            },
          ],
        },
      },
    });
    const deleting = await api.deleteNamespacedCustomObject({ ...ws('fg'), propagationPolicy: 'Foreground' });
    expect(deleting.metadata.finalizers).toEqual(['foregroundDeletion']);
    const child = await core.readNamespacedConfigMap({ name: 'fg-child', namespace: 'default' });
    expect(child.metadata?.deletionTimestamp).toBeDefined();
    await core.patchNamespacedConfigMap(
      { name: 'fg-child', namespace: 'default', body: { metadata: { finalizers: null } } },
      merge,
    );
    expect(await failure(api.getNamespacedCustomObject(ws('fg')))).toMatchObject({ code: 404 });
  });

  it('terminates a namespace: content deleted, creation forbidden, namespace gone when empty', async () => {
    await core.createNamespace({ body: { metadata: { name: 'team' } } });
    await core.createNamespacedConfigMap({
      namespace: 'team',
      body: { metadata: { name: 'held', finalizers: ['test/hold'] } },
    });
    await core.createNamespacedSecret({ namespace: 'team', body: { metadata: { name: 'plain' } } });
    await core.deleteNamespace({ name: 'team' });
    const terminating = await core.readNamespace({ name: 'team' });
    expect(terminating.status?.phase).toBe('Terminating');
    expect(await failure(core.readNamespacedSecret({ name: 'plain', namespace: 'team' }))).toMatchObject({
      code: 404,
    });
    expect(
      await failure(core.createNamespacedSecret({ namespace: 'team', body: { metadata: { name: 'late' } } })),
    ).toMatchObject({
      code: 403,
      reason: 'Forbidden',
    });
    await core.patchNamespacedConfigMap(
      { name: 'held', namespace: 'team', body: { metadata: { finalizers: null } } },
      merge,
    );
    expect(await failure(core.readNamespace({ name: 'team' }))).toMatchObject({ code: 404 });
  });
});

describe('selectors on list', () => {
  it.each([
    ['gpu=a100', ['p1']],
    ['gpu==a100', ['p1']],
    ['gpu!=a100', ['p2', 'p3']],
    ['gpu in (a100,h100)', ['p1', 'p2']],
    ['gpu notin (a100)', ['p2', 'p3']],
    ['gpu', ['p1', 'p2']],
    ['!gpu', ['p3']],
    ['gpu,pool=x', ['p2']],
  ])('label selector %s', async (labelSelector, expected) => {
    if (!server.get('v1', 'Pod', 'p1', 'default')) {
      for (const [name, labels, node] of [
        ['p1', { gpu: 'a100' }, 'n1'],
        ['p2', { gpu: 'h100', pool: 'x' }, 'n2'],
        ['p3', {}, 'n2'],
      ] as const) {
        await core.createNamespacedPod({
          namespace: 'default',
          body: { metadata: { name, labels }, spec: { nodeName: node, containers: [] } },
        });
      }
    }
    const list = await core.listNamespacedPod({ namespace: 'default', labelSelector });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(expected);
  });

  it('filters pods by spec.nodeName and refuses an unknown field', async () => {
    const list = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=n2,metadata.name!=p3' });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(['p2']);
    expect(
      await failure(core.listNamespacedPod({ namespace: 'default', fieldSelector: 'spec.image=x' })),
    ).toMatchObject({ code: 400 });
  });
});

describe('authentication', () => {
  it('answers 401 without the bearer token', async () => {
    const anonymous = new k8s.KubeConfig();
    anonymous.loadFromOptions({
      clusters: [{ name: 't', server: server.url, skipTLSVerify: true }],
      users: [{ name: 'nobody' }],
      contexts: [{ name: 't', cluster: 't', user: 'nobody' }],
      currentContext: 't',
    });
    // client-node's generated code drops the body of a 401, so the Status is checked on a raw request too.
    await expect(anonymous.makeApiClient(k8s.CoreV1Api).listNamespace()).rejects.toMatchObject({ code: 401 });
    const raw = await fetch(`${server.url}/api/v1/namespaces`, {
      headers: { Authorization: 'Bearer wrong' },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });
});
