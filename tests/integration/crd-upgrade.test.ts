/**
 * The CRD upgrade path the README gives (`kubectl apply --server-side --force-conflicts` of the chart's
 * CRD: Helm never upgrades `crds/`), run with the real kubectl against the API test server: over Kaito
 * v0.12's Helm-owned CRD (the move from Kaito) and over an older kaito-gitops CRD. Stored Workspaces keep
 * everything and read through the new schema. (The test server serves no OpenAPI document, so kubectl
 * runs with --validate=false, and the server runs without a bearer token.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CRD_PATH, workspaceCrd } from '../../src/api/index.ts';
import { kaitoHelmOwnedCrd } from '../support/kaito-fixtures.ts';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../support/kube-api-server/index.ts';
import { requireKubectl } from '../support/kustomize.ts';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const WS = { group: 'kaito.sh', version: 'v1beta1', plural: 'workspaces', namespace: 'default' };

let kubectl: string;
let server: KubeApiServer | undefined;
let dir: string;
beforeAll(async () => {
  kubectl = await requireKubectl();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function cluster(crd: KubeObject): Promise<{ api: k8s.CustomObjectsApi; kubeconfig: string }> {
  server = await startKubeApiServer({ crds: [crd], token: null });
  dir = await mkdtemp(join(tmpdir(), 'crd-upgrade-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: test, cluster: {server: "' + server.url + '"}}]',
      'users: [{name: test, user: {}}]',
      'contexts: [{name: test, context: {cluster: test, user: test, namespace: default}}]',
      'current-context: test',
      '',
    ].join('\n'),
  );
  return { api: server.kubeConfig().makeApiClient(k8s.CustomObjectsApi), kubeconfig };
}

async function kubectlRun(kubeconfig: string, ...args: string[]): Promise<string> {
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  return (await run(kubectl, args, { env, cwd: repo })).stdout;
}

/** The README's command. */
const applyCrd = (kubeconfig: string) =>
  kubectlRun(kubeconfig, 'apply', '--server-side', '--force-conflicts', '--validate=false', '-f', CRD_PATH);

const performance = {
  metrics: { peakTokensPerMinute: { description: 'stress', value: '5200', unit: 'tokens/min' } },
};

async function storeWorkspace(api: k8s.CustomObjectsApi): Promise<void> {
  await api.createNamespacedCustomObject({
    ...WS,
    body: {
      apiVersion: 'kaito.sh/v1beta1',
      kind: 'Workspace',
      metadata: { name: 'phi-3' },
      resource: {
        instanceType: 'Standard_NC24ads_A100_v4',
        labelSelector: { matchLabels: { apps: 'phi-3' } },
      },
      inference: { preset: { name: 'phi-3-mini-4k-instruct' } },
    },
  });
  await api.patchNamespacedCustomObjectStatus(
    { ...WS, name: 'phi-3', body: { status: { state: 'Ready', targetNodeCount: 1, performance } } },
    merge,
  );
}

describe('kubectl apply --server-side of the chart CRD', () => {
  it('over Kaito v0.12’s Helm-owned CRD keeps every Workspace and its status, and adds our columns', async () => {
    const { api, kubeconfig } = await cluster(kaitoHelmOwnedCrd());
    await storeWorkspace(api);
    expect(await applyCrd(kubeconfig)).toBe(
      'customresourcedefinition.apiextensions.k8s.io/workspaces.kaito.sh serverside-applied\n',
    );
    const stored = await api.getNamespacedCustomObject({ ...WS, name: 'phi-3' });
    // observedGeneration reads -1 (our default) until the agent writes: kstatus says InProgress, not a stale Ready.
    expect(stored.status).toEqual({
      state: 'Ready',
      targetNodeCount: 1,
      performance,
      observedGeneration: -1,
    });
    const columns = await kubectlRun(
      kubeconfig,
      'get',
      'crd',
      'workspaces.kaito.sh',
      '-o',
      'jsonpath={.spec.versions[1].additionalPrinterColumns[*].name}',
    );
    expect(columns).toBe(
      'Instance ResourceReady InferenceReady JobStarted WorkspaceSucceeded WorkspaceReady TargetNodeCount State OutputImage Age',
    );
    // Helm's ownership annotations stay: `helm uninstall` of Kaito would still delete the CRD (README).
    const annotations = await kubectlRun(
      kubeconfig,
      'get',
      'crd',
      'workspaces.kaito.sh',
      '-o',
      'jsonpath={.metadata.annotations.meta\\.helm\\.sh/release-name}',
    );
    expect(annotations).toBe('kaito-workspace');
  });

  it('over an older kaito-gitops CRD serves the new fields and keeps what was stored', async () => {
    const older = workspaceCrd() as KubeObject;
    for (const version of (
      older['spec'] as {
        versions: {
          schema: {
            openAPIV3Schema: { properties: Record<string, { properties: Record<string, unknown> }> };
          };
        }[];
      }
    ).versions)
      delete version.schema.openAPIV3Schema.properties['status']!.properties['performance'];
    const { api, kubeconfig } = await cluster(older);
    await storeWorkspace(api);
    expect(
      (await api.getNamespacedCustomObject({ ...WS, name: 'phi-3' })).status.performance,
    ).toBeUndefined();
    await applyCrd(kubeconfig);
    await api.patchNamespacedCustomObjectStatus(
      { ...WS, name: 'phi-3', body: { status: { performance } } },
      merge,
    );
    const stored = await api.getNamespacedCustomObject({ ...WS, name: 'phi-3' });
    expect(stored.status).toMatchObject({
      state: 'Ready',
      targetNodeCount: 1,
      performance,
      observedGeneration: -1,
    });
  });
});
