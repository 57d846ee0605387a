/**
 * Custom resources served from a CRD's structural schema, as the apiserver does: unknown fields pruned
 * and defaults applied on every write and read, per served version; a CRD applied over another changes
 * how stored objects read without rewriting them.
 */
import * as k8s from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { workspaceCrd } from '../../../src/api/index.ts';
import { kaitoWorkspaceCrd } from '../../support/kaito-fixtures.ts';
import {
  startKubeApiServer,
  type KubeApiServer,
  type KubeObject,
} from '../../support/kube-api-server/index.ts';
import { merge } from './helpers.ts';

let server: KubeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const coll = (version = 'v1beta1') => ({
  group: 'kaito.sh',
  version,
  namespace: 'default',
  plural: 'workspaces',
});
const one = (name: string, version = 'v1beta1') => ({ ...coll(version), name });

async function start(crd: KubeObject): Promise<k8s.CustomObjectsApi> {
  server = await startKubeApiServer({ crds: [crd] });
  return server.kubeConfig().makeApiClient(k8s.CustomObjectsApi);
}

const body = (name: string) => ({
  apiVersion: 'kaito.sh/v1beta1',
  kind: 'Workspace',
  metadata: { name },
  resource: {
    instanceType: 'Standard_NC24ads_A100_v4',
    labelSelector: { matchLabels: { apps: name } },
    gpus: 2,
  },
  inference: { preset: { name: 'phi-3-mini-4k-instruct' } },
  spec: { typo: true },
});

const status = {
  observedGeneration: 1,
  conditions: [
    {
      type: 'Ready',
      status: 'True',
      reason: 'Succeeded',
      message: 'workspace succeeds',
      observedGeneration: 1,
      lastTransitionTime: '2026-11-20T10:00:00Z',
    },
  ],
  state: 'Ready',
  targetNodeCount: 1,
  workerNodes: ['node-1'],
  performance: {
    metrics: { peakTokensPerMinute: { description: 'peak', value: '1200', unit: 'tokens/min' } },
  },
};

describe("Kaito v0.12's CRD", () => {
  it('prunes unknown fields and applies its defaults on create', async () => {
    const api = await start(kaitoWorkspaceCrd());
    const created = await api.createNamespacedCustomObject({ ...coll(), body: body('phi-3') });
    expect(created.spec).toBeUndefined();
    expect(created.resource).toEqual({
      count: 1,
      instanceType: 'Standard_NC24ads_A100_v4',
      labelSelector: { matchLabels: { apps: 'phi-3' } },
    });
    expect(created.inference.preset).toEqual({ name: 'phi-3-mini-4k-instruct', accessMode: 'public' });
    expect(created.status).toBeUndefined();
  });

  it('drops status.observedGeneration from a status write and keeps what its schema has', async () => {
    const api = await start(kaitoWorkspaceCrd());
    await api.createNamespacedCustomObject({ ...coll(), body: body('phi-3') });
    const written = await api.patchNamespacedCustomObjectStatus({ ...one('phi-3'), body: { status } }, merge);
    const { observedGeneration: _dropped, ...kept } = status;
    expect(written.status).toEqual(kept);
    expect((await api.getNamespacedCustomObject(one('phi-3'))).status).toEqual(kept);
  });

  it('serves each version through its own schema (v1alpha1 has no status.state, and defaults instanceType)', async () => {
    const api = await start(kaitoWorkspaceCrd());
    const byo = body('byo');
    byo.resource = { labelSelector: { matchLabels: { apps: 'byo' } } } as typeof byo.resource;
    await api.createNamespacedCustomObject({ ...coll(), body: byo });
    await api.patchNamespacedCustomObjectStatus({ ...one('byo'), body: { status } }, merge);
    const alpha = await api.getNamespacedCustomObject(one('byo', 'v1alpha1'));
    expect(alpha.resource.instanceType).toBe('Standard_NC24ads_A100_v4');
    expect(Object.keys(alpha.status as object).sort()).toEqual(['conditions', 'workerNodes']);
    const beta = await api.getNamespacedCustomObject(one('byo'));
    expect(beta.resource.instanceType).toBeUndefined();
    expect(beta.status.state).toBe('Ready');
  });

  it('is Established once applied, and discovery lists the kind', async () => {
    await start(kaitoWorkspaceCrd());
    const ext = server!.kubeConfig().makeApiClient(k8s.ApiextensionsV1Api);
    const crd = await ext.readCustomResourceDefinition({ name: 'workspaces.kaito.sh' });
    expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
    expect(crd.status?.storedVersions).toEqual(['v1beta1']);
  });
});

describe("kaito-gitops' CRD", () => {
  it('defaults status.observedGeneration to -1 on a new Workspace (kstatus reads InProgress)', async () => {
    const api = await start(workspaceCrd() as KubeObject);
    const created = await api.createNamespacedCustomObject({ ...coll(), body: body('phi-3') });
    expect(created.status).toEqual({ observedGeneration: -1 });
    const written = await api.patchNamespacedCustomObjectStatus({ ...one('phi-3'), body: { status } }, merge);
    expect(written.status.observedGeneration).toBe(1);
  });

  it('applied over Kaito’s, reads what Kaito’s stored (status.performance included)', async () => {
    const api = await start(kaitoWorkspaceCrd());
    await api.createNamespacedCustomObject({ ...coll(), body: body('phi-3') });
    await api.patchNamespacedCustomObjectStatus({ ...one('phi-3'), body: { status } }, merge);
    const before = await api.getNamespacedCustomObject(one('phi-3'));
    server!.installCrd(workspaceCrd() as KubeObject);
    const after = await api.getNamespacedCustomObject(one('phi-3'));
    expect(after.status.performance).toEqual(before.status.performance);
    expect(after.status.state).toBe('Ready');
    expect(after.resource).toEqual(before.resource);
  });
});
