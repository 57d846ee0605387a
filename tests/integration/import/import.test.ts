/**
 * `kaito-gitops import` against the API test server serving Kaito v0.12's CRD, with the bundled example
 * Workspaces stored as a Kaito cluster stores them (applied with kubectl, CRD defaults filled in, Kaito's
 * finalizer and annotations, status written by its controller): the files it writes pass `validate` and
 * render to exactly the tree the original specs render to.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { readCatalog, type Catalog } from '../../../src/catalog/index.ts';
import { hydrate } from '../../../src/pipeline.ts';
import { readSources } from '../../../src/cli/sources.ts';
import { runCli } from '../../support/cli.ts';
import { kaitoWorkspaceCrd } from '../../support/kaito-fixtures.ts';
import {
  startKubeApiServer,
  type KubeApiServer,
  type KubeObject,
} from '../../support/kube-api-server/index.ts';

const repo = new URL('../../../', import.meta.url).pathname;
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

let server: KubeApiServer;
let dir: string;
let kubeconfig: string;
let catalog: Catalog;

/** The bundled examples as Kaito v0.12 serves them: stored and read as kaito.sh/v1beta1. */
async function examplesAsServed(): Promise<{ path: string; content: string }[]> {
  const files = await readSources(['gitops/workspaces'], repo);
  return files.map((f) => ({ ...f, content: f.content.replaceAll('kaito.sh/v1alpha1', 'kaito.sh/v1beta1') }));
}

/** Applies the examples as a user of Kaito would (kubectl apply), then plays Kaito's controller. */
async function storeAsKaitoDoes(): Promise<void> {
  const kc = server.kubeConfig();
  const objects = kc.makeApiClient(k8s.KubernetesObjectApi);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  for (const file of await readSources(['gitops/workspaces'], repo)) {
    for (const doc of parseAllDocuments(file.content)) {
      const object = doc.toJS() as KubeObject;
      object.metadata.namespace ??= 'default';
      object.metadata.annotations = {
        ...object.metadata.annotations,
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(object),
      };
      await objects.create(object as k8s.KubernetesObject);
      if (object.kind !== 'Workspace') continue;
      const target = { group: 'kaito.sh', version: 'v1beta1', plural: 'workspaces', namespace: 'default' };
      const name = object.metadata.name!;
      await custom.patchNamespacedCustomObject(
        {
          ...target,
          name,
          body: {
            metadata: {
              finalizers: ['workspace.finalizer.kaito.sh'],
              annotations: { 'workspace.kaito.io/hash': 'c0ffee', 'workspace.kaito.io/revision': '1' },
            },
          },
        },
        merge,
      );
      const condition = (type: string) => ({
        type,
        status: 'True',
        reason: 'Succeeded',
        message: '',
        observedGeneration: 1,
        lastTransitionTime: '2026-11-20T10:00:00Z',
      });
      await custom.patchNamespacedCustomObjectStatus(
        {
          ...target,
          name,
          body: {
            status: {
              conditions: [condition('ResourceReady'), condition('WorkspaceSucceeded')],
              state: 'Ready',
              targetNodeCount: 1,
              workerNodes: ['aks-ws1234-vmss000000'],
            },
          },
        },
        merge,
      );
    }
  }
  // A ConfigMap no Workspace names is not imported.
  await kc.makeApiClient(k8s.CoreV1Api).createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name: 'unrelated' }, data: { a: 'b' } },
  });
}

beforeAll(async () => {
  server = await startKubeApiServer({ crds: [kaitoWorkspaceCrd()] });
  dir = await mkdtemp(join(tmpdir(), 'import-'));
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, server.kubeConfig().exportConfig());
  catalog = await readCatalog();
  await storeAsKaitoDoes();
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kaito-gitops import', () => {
  it('writes clean spec files that validate and render the same tree as the original specs', async () => {
    const run = await runCli(['import', '--kubeconfig', kubeconfig, '--out', 'specs'], dir);
    expect(run.stderr).toBe(
      'note: default/workspace-llama-3-3-70b-instruct names Secret hf-token ' +
        '(inference.preset.presetOptions.modelAccessSecret): it stays in the cluster, not in git\n' +
        'note: default/workspace-tuning-phi-3 names Secret myregistry-push ' +
        '(tuning.output.imagePushSecret): it stays in the cluster, not in git\n',
    );
    expect(run.code).toBe(0);
    const written = (await readdir(join(dir, 'specs', 'default'))).sort();
    expect(written).toEqual([
      'configmap-llama-inference-params.yaml',
      'workspace-workspace-llama-3-3-70b-instruct.yaml',
      'workspace-workspace-phi-3-mini-adapter.yaml',
      'workspace-workspace-phi-3-mini.yaml',
      'workspace-workspace-tuning-phi-3.yaml',
    ]);
    const text = await readFile(join(dir, 'specs', 'default', 'workspace-workspace-phi-3-mini.yaml'), 'utf8');
    for (const absent of [
      'status',
      'managedFields',
      'finalizers',
      'workspace.kaito.io',
      'last-applied',
      'count: 1',
      'accessMode',
    ])
      expect(text).not.toContain(absent);

    expect((await runCli(['validate', 'specs'], dir)).code).toBe(0);
    const imported = hydrate(await readSources(['specs'], dir), { catalog });
    const original = hydrate(await examplesAsServed(), { catalog });
    expect(imported.errors).toEqual([]);
    const withoutInventory = (tree: ReadonlyMap<string, string>) =>
      new Map([...tree].filter(([path]) => path !== 'inventory.json'));
    expect(withoutInventory(imported.tree)).toEqual(withoutInventory(original.tree));
  });

  it('never overwrites a file with other content unless --force', async () => {
    await runCli(['import', '--kubeconfig', kubeconfig, '--out', 'again'], dir);
    const target = join(dir, 'again', 'default', 'workspace-workspace-phi-3-mini.yaml');
    await writeFile(target, '# mine\n');
    const refused = await runCli(['import', '--kubeconfig', kubeconfig, '--out', 'again'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'again/default/workspace-workspace-phi-3-mini.yaml exists with other content',
    );
    expect(await readFile(target, 'utf8')).toBe('# mine\n');
    expect(
      (await runCli(['import', '--kubeconfig', kubeconfig, '--out', 'again', '--force'], dir)).code,
    ).toBe(0);
    expect(await readFile(target, 'utf8')).not.toBe('# mine\n');
  });

  it('reads one namespace with -n, and says so in one line when the cluster cannot be reached', async () => {
    const none = await runCli(
      ['import', '--kubeconfig', kubeconfig, '-n', 'kube-system', '--out', 'empty', '-o', 'json'],
      dir,
    );
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual({ files: [], references: [], errors: [] });

    const stopped = await startKubeApiServer();
    const dead = join(dir, 'dead-kubeconfig');
    await writeFile(dead, stopped.kubeConfig().exportConfig());
    await stopped.close();
    const run = await runCli(['import', '--kubeconfig', dead, '--out', 'dead'], dir);
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^kaito-gitops import: reading Workspaces and ConfigMaps from http:\/\/127\.0\.0\.1:\d+ failed: /,
    );
  });
});
