import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-api-server/index.ts';
import { apply, failure, jsonPatch, merge, strategic, workspace } from './helpers.ts';

let server: KubeApiServer;
let api: k8s.CustomObjectsApi;
const ws = (name: string, version = 'v1beta1') => ({
  group: 'kaito.sh',
  version,
  namespace: 'default',
  plural: 'workspaces',
  name,
});
const coll = (version = 'v1beta1') => ({
  group: 'kaito.sh',
  version,
  namespace: 'default',
  plural: 'workspaces',
});

beforeAll(async () => {
  server = await startKubeApiServer();
  api = server.kubeConfig().makeApiClient(k8s.CustomObjectsApi);
});
afterAll(() => server.close());

describe('Workspaces: one storage, two served versions', () => {
  it('serves an object created as v1alpha1 under v1beta1 and back, each with the apiVersion asked for', async () => {
    await api.createNamespacedCustomObject({ ...coll('v1alpha1'), body: workspace('phi-a', 'v1alpha1') });
    const beta = await api.getNamespacedCustomObject(ws('phi-a'));
    const alpha = await api.getNamespacedCustomObject(ws('phi-a', 'v1alpha1'));
    expect(beta.apiVersion).toBe('kaito.sh/v1beta1');
    expect(alpha.apiVersion).toBe('kaito.sh/v1alpha1');
    expect(beta.metadata.uid).toBe(alpha.metadata.uid);
    const list = await api.listNamespacedCustomObject(coll('v1alpha1'));
    expect(list.kind).toBe('WorkspaceList');
    expect((list.items as { apiVersion: string }[]).map((i) => i.apiVersion)).toEqual(['kaito.sh/v1alpha1']);
  });
});

describe('updates', () => {
  it('refuses a PUT of a custom resource without resourceVersion, as CRDs forbid unconditional updates', async () => {
    await api.createNamespacedCustomObject({ ...coll(), body: workspace('phi-u') });
    const failed = await failure(
      api.replaceNamespacedCustomObject({ ...ws('phi-u'), body: workspace('phi-u') }),
    );
    expect(failed).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(failed.message).toContain(
      'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    );
  });
});

describe('status subresource', () => {
  it('drops status on create, writes it only through /status, and never bumps generation for it', async () => {
    const created = await api.createNamespacedCustomObject({
      ...coll(),
      body: workspace('phi-s', 'v1beta1', { status: { x: 1 } }),
    });
    expect(created.status).toBeUndefined();
    const patched = await api.patchNamespacedCustomObjectStatus(
      { ...ws('phi-s'), body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } } },
      merge,
    );
    expect(patched.status.conditions[0].type).toBe('Ready');
    expect(patched.metadata.generation).toBe(1);
    // A main-resource write cannot change status; a status write cannot change the spec.
    const main = await api.patchNamespacedCustomObject(
      { ...ws('phi-s'), body: { status: { conditions: [] }, inference: { preset: { name: 'llama-3' } } } },
      merge,
    );
    expect(main.status.conditions).toHaveLength(1);
    expect(main.metadata.generation).toBe(2);
    const statusOnly = await api.patchNamespacedCustomObjectStatus(
      { ...ws('phi-s'), body: { inference: { preset: { name: 'x' } } } },
      merge,
    );
    expect(statusOnly.inference.preset.name).toBe('llama-3');
  });

  it('bumps generation for the top-level resource/inference/tuning fields but not for labels', async () => {
    await api.createNamespacedCustomObject({ ...coll(), body: workspace('phi-g') });
    const labelled = await api.patchNamespacedCustomObject(
      { ...ws('phi-g'), body: { metadata: { labels: { a: 'b' } } } },
      merge,
    );
    expect(labelled.metadata.generation).toBe(1);
    const resized = await api.patchNamespacedCustomObject(
      { ...ws('phi-g'), body: { resource: { count: 2 } } },
      merge,
    );
    expect(resized.metadata.generation).toBe(2);
  });
});

describe('patch content types', () => {
  it('applies a JSON patch with a passing test op and refuses a failing one with 422', async () => {
    await api.createNamespacedCustomObject({ ...coll(), body: workspace('phi-j') });
    const body = [
      { op: 'test', path: '/inference/preset/name', value: 'phi-3-mini-4k-instruct' },
      { op: 'replace', path: '/inference/preset/name', value: 'phi-4' },
      { op: 'add', path: '/metadata/labels', value: { 'a/b': 'c' } },
    ];
    const patched = await api.patchNamespacedCustomObject({ ...ws('phi-j'), body }, jsonPatch);
    expect(patched.inference.preset.name).toBe('phi-4');
    expect(patched.metadata.labels).toEqual({ 'a/b': 'c' });
    const failed = await failure(
      api.patchNamespacedCustomObject(
        { ...ws('phi-j'), body: [{ op: 'test', path: '/inference/preset/name', value: 'nope' }] },
        jsonPatch,
      ),
    );
    expect(failed).toMatchObject({ code: 422 });
    expect(failed.message).toContain('test failed');
  });

  it('refuses a merge body sent with the default (json-patch) content type', async () => {
    await api.createNamespacedCustomObject({ ...coll(), body: workspace('phi-d') });
    const failed = await failure(
      api.patchNamespacedCustomObject({ ...ws('phi-d'), body: { resource: { count: 3 } } }),
    );
    expect(failed.code).toBe(400);
  });

  it('answers strategic merge patch on a custom resource with 415, like the real server', async () => {
    await api.createNamespacedCustomObject({ ...coll(), body: workspace('phi-m') });
    const failed = await failure(
      api.patchNamespacedCustomObject({ ...ws('phi-m'), body: { resource: { count: 3 } } }, strategic),
    );
    expect(failed).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    expect(failed.message).toContain('application/merge-patch+json');
  });

  it('merges containers by name in a strategic merge patch on a built-in', async () => {
    const apps = server.kubeConfig().makeApiClient(k8s.AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'smp' },
        spec: {
          selector: { matchLabels: { app: 'smp' } },
          template: {
            metadata: { labels: { app: 'smp' } },
            spec: {
              containers: [
                { name: 'a', image: 'a:1' },
                { name: 'b', image: 'b:1' },
              ],
            },
          },
        },
      },
    });
    const patched = await apps.patchNamespacedDeployment(
      {
        name: 'smp',
        namespace: 'default',
        body: { spec: { template: { spec: { containers: [{ name: 'b', image: 'b:2' }] } } } },
      },
      strategic,
    );
    expect(patched.spec?.template.spec?.containers.map((c) => c.image)).toEqual(['a:1', 'b:2']);
  });
});

describe('server-side apply', () => {
  it('creates when absent, records the manager, and needs a fieldManager', async () => {
    const body = workspace('phi-ssa');
    expect(await failure(api.patchNamespacedCustomObject({ ...ws('phi-ssa'), body }, apply))).toMatchObject({
      code: 422,
      message:
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    });
    const created = await api.patchNamespacedCustomObject(
      { ...ws('phi-ssa'), body, fieldManager: 'gitops' },
      apply,
    );
    expect(created.metadata.generation).toBe(1);
    expect(
      (created.metadata.managedFields as { manager: string; operation: string }[]).map((m) => [
        m.manager,
        m.operation,
      ]),
    ).toEqual([['gitops', 'Apply']]);
  });

  it('conflicts with another manager on a field it set differently, unless forced', async () => {
    await api.patchNamespacedCustomObject(
      { ...ws('phi-c'), body: workspace('phi-c'), fieldManager: 'gitops' },
      apply,
    );
    const other = {
      apiVersion: 'kaito.sh/v1beta1',
      kind: 'Workspace',
      metadata: { name: 'phi-c' },
      resource: { count: 2 },
    };
    await api.patchNamespacedCustomObject({ ...ws('phi-c'), body: other, fieldManager: 'operator' }, apply);
    const clash = { ...workspace('phi-c'), resource: { instanceType: 'Standard_NC24ads_A100_v4', count: 3 } };
    const failed = await failure(
      api.patchNamespacedCustomObject({ ...ws('phi-c'), body: clash, fieldManager: 'gitops' }, apply),
    );
    expect(failed).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(failed.details?.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "operator"', field: '.resource.count' },
    ]);
    const forced = await api.patchNamespacedCustomObject(
      { ...ws('phi-c'), body: clash, fieldManager: 'gitops', force: true },
      apply,
    );
    expect(forced.resource.count).toBe(3);
  });

  it('removes fields a manager stops applying, and works through KubernetesObjectApi (discovery first)', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(server.kubeConfig());
    const withTuning = {
      ...workspace('phi-k'),
      metadata: { name: 'phi-k', namespace: 'default', labels: { team: 'ml' } },
    };
    await objects.patch(withTuning, undefined, undefined, 'gitops', true, k8s.PatchStrategy.ServerSideApply);
    const withoutLabel = workspace('phi-k');
    const after = (await objects.patch(
      withoutLabel,
      undefined,
      undefined,
      'gitops',
      true,
      k8s.PatchStrategy.ServerSideApply,
    )) as {
      metadata: { labels?: Record<string, string> };
    };
    expect(after.metadata.labels).toBeUndefined();
    expect(server.requests.count({ verb: 'discovery' })).toBeGreaterThan(0);
  });
});
