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
  const { files } = await readSources(['gitops/workspaces'], repo);
  return files.map((f) => ({ ...f, content: f.content.replaceAll('kaito.sh/v1alpha1', 'kaito.sh/v1beta1') }));
}

/** Applies the examples as a user of Kaito would (kubectl apply), then plays Kaito's controller. */
async function storeAsKaitoDoes(): Promise<void> {
  const kc = server.kubeConfig();
  const objects = kc.makeApiClient(k8s.KubernetesObjectApi);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  for (const file of (await readSources(['gitops/workspaces'], repo)).files) {
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
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name: 'unrelated' }, data: { a: 'b' } },
  });
  // Kaito's copy of its default QLoRA parameters, unedited: the chart's text, comments included.
  await core.createNamespacedConfigMap({
    namespace: 'default',
    body: {
      metadata: { name: 'qlora-params-template', labels: { 'app.kubernetes.io/managed-by': 'Helm' } },
      data: {
        'training_config.yaml': shippedQloraDefaults('the chart explains each section here'),
      },
    },
  });
}

/** kaito-gitops' v1beta1 QLoRA defaults (presets/tuning-defaults.yaml), with a `comment` line before each section. */
function shippedQloraDefaults(comment?: string): string {
  const defaults = catalog.tuningDefaults.find(
    (d) => d.apiVersion === 'kaito.sh/v1beta1' && d.method === 'qlora',
  );
  const text = defaults?.trainingConfig ?? '';
  return comment === undefined ? text : text.replace(/^( {2}\w+:)$/gm, `  # ${comment}\n$1`);
}

/** A Kaito tuning Workspace in `namespace` without tuning.config, as Kaito stores it. */
async function storeTuningWorkspace(namespace: string, name: string): Promise<void> {
  const custom = server.kubeConfig().makeApiClient(k8s.CustomObjectsApi);
  await custom.createNamespacedCustomObject({
    group: 'kaito.sh',
    version: 'v1beta1',
    plural: 'workspaces',
    namespace,
    body: {
      apiVersion: 'kaito.sh/v1beta1',
      kind: 'Workspace',
      metadata: { name, namespace },
      resource: { instanceType: 'Standard_NC24ads_A100_v4', labelSelector: { matchLabels: { apps: name } } },
      tuning: {
        preset: { name: 'phi-3-mini-128k-instruct' },
        method: 'qlora',
        input: { urls: ['https://example.com/data.parquet'] },
        output: { image: `registry.example.com/adapters/${name}:1`, imagePushSecret: 'push' },
      },
    },
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
    const imported = hydrate((await readSources(['specs'], dir)).files, { catalog });
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
    expect(JSON.parse(none.stdout)).toEqual({ files: [], references: [], tuningDefaults: [], errors: [] });

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

describe('kaito-gitops import of Kaito’s default tuning parameters', () => {
  const core = () => server.kubeConfig().makeApiClient(k8s.CoreV1Api);

  it('keeps parameters edited in the namespace’s template, under a name of the Workspace’s own', async () => {
    // The team tuned longer and with a larger rank by editing Kaito's template in their namespace.
    await core().createNamespace({ body: { metadata: { name: 'tuned' } } });
    const edited = shippedQloraDefaults()
      .replace('r: 8', 'r: 16')
      .replace('per_device_train_batch_size: 1', 'per_device_train_batch_size: 1\n    num_train_epochs: 3');
    await core().createNamespacedConfigMap({
      namespace: 'tuned',
      body: { metadata: { name: 'qlora-params-template' }, data: { 'training_config.yaml': edited } },
    });
    // A ConfigMap of someone else's already has the first name that comes to mind: never overwrite it.
    await core().createNamespacedConfigMap({
      namespace: 'tuned',
      body: { metadata: { name: 'tune-b-qlora-params' }, data: { owner: 'another team' } },
    });
    await storeTuningWorkspace('tuned', 'tune-a');
    await storeTuningWorkspace('tuned', 'tune-b');

    const run = await runCli(['import', '--kubeconfig', kubeconfig, '-n', 'tuned', '--out', 'tuned'], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      'note: tuned/tune-a ran with the namespace’s edited qlora-params-template: written as ConfigMap tune-a-qlora-params and named in tuning.config\n' +
        'note: tuned/tune-b ran with the namespace’s edited qlora-params-template: written as ConfigMap tune-b-qlora-params-2 and named in tuning.config\n' +
        'note: tuned/tune-a names Secret push (tuning.output.imagePushSecret): it stays in the cluster, not in git\n' +
        'note: tuned/tune-b names Secret push (tuning.output.imagePushSecret): it stays in the cluster, not in git\n',
    );
    expect((await readdir(join(dir, 'tuned', 'tuned'))).sort()).toEqual([
      'configmap-tune-a-qlora-params.yaml',
      'configmap-tune-b-qlora-params-2.yaml',
      'workspace-tune-a.yaml',
      'workspace-tune-b.yaml',
    ]);
    const spec = await readFile(join(dir, 'tuned', 'tuned', 'workspace-tune-a.yaml'), 'utf8');
    expect(spec).toContain('  config: tune-a-qlora-params\n');

    // What renders is what ran: the Job mounts the edited parameters.
    expect((await runCli(['validate', 'tuned'], dir)).code).toBe(0);
    const rendered = hydrate((await readSources(['tuned'], dir)).files, { catalog });
    expect(rendered.errors).toEqual([]);
    for (const [workspace, configMap] of [
      ['tune-a', 'tune-a-qlora-params'],
      ['tune-b', 'tune-b-qlora-params-2'],
    ] as const) {
      const dirOf = `workspaces/tuned/${workspace}`;
      const job = rendered.tree.get(`${dirOf}/job-${workspace}.yaml`) ?? '';
      expect(job).toContain(`name: ${configMap}`);
      const object = parseAllDocuments(
        rendered.tree.get(`${dirOf}/configmap-${configMap}.yaml`) ?? '',
      )[0]?.toJS() as {
        data: Record<string, string>;
      };
      expect(object.data['training_config.yaml']).toBe(edited);
    }
  });

  it('changes nothing when the namespace’s template holds the shipped defaults', async () => {
    // `default` holds the chart's unedited template (comments and all): the tuning example is written
    // without tuning.config, and renders the defaults kaito-gitops ships, as the first test showed.
    const run = await runCli(['import', '--kubeconfig', kubeconfig, '-n', 'default', '--out', 'plain'], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('qlora-params-template');
    const spec = await readFile(
      join(dir, 'plain', 'default', 'workspace-workspace-tuning-phi-3.yaml'),
      'utf8',
    );
    expect(spec).not.toContain('config:');
    expect(await readdir(join(dir, 'plain', 'default'))).not.toContain(
      'configmap-workspace-tuning-phi-3-qlora-params.yaml',
    );
  });
});
