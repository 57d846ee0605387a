/**
 * `kaito-gitops import`: the Workspaces of a running cluster (and the ConfigMaps they reference), read
 * through the kubeconfig with @kubernetes/client-node, written as clean spec files for the source
 * repository (src/api `importFiles` decides what a spec keeps). Reads everything first, then checks the
 * result with the same pipeline `validate` runs, then writes; an existing file is never overwritten
 * without `--force`. Exit 0 written, 1 written but some spec has problems sync would refuse, 2 usage,
 * 3 the cluster could not be read.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import {
  importFiles,
  usesTuningTemplate,
  type ImportReference,
  type KeptTuningDefaults,
  type StoredObject,
} from '../api/index.ts';
import { apiFailure } from '../agent/index.ts';
import { UsageError } from '../errors.ts';
import { hydrate } from '../pipeline.ts';
import { EXIT, outputFlag, outputFormat, parseFlags, type CliIO, type Command } from './command.ts';
import { catalogFlags, cloudFlag, errorsJson, loadCatalog, reportErrors } from './inputs.ts';
import { loadKubeConfig } from './kubeconfig.ts';

const usage = `usage: kaito-gitops import [--namespace NS] [--out DIR] [--force] [--kubeconfig FILE] [--context NAME]

  -n, --namespace NS   only this namespace (default: every namespace)
  --out DIR            where the spec files go (default gitops/workspaces): DIR/<namespace>/workspace-<name>.yaml
                       and DIR/<namespace>/configmap-<name>.yaml
  --force              overwrite files that exist with other content
  --kubeconfig FILE    kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)
  --context NAME       kubeconfig context (default: the current one)
  --presets DIR        catalog the result is checked against (default: the presets/ shipped with kaito-gitops)
  --cloud NAME         cloud whose SKUs a Workspace without instanceType is sized against (default: azure)
  -o, --output         text (default) or json

Workspaces are read as kaito.sh/v1beta1 (Kaito's storage version). Secrets they name stay in the cluster
and are listed, never exported.`;

const WORKSPACES = { group: 'kaito.sh', version: 'v1beta1', plural: 'workspaces' } as const;
const PAGE = 500;

/** Every Workspace (one namespace or all), page by page. */
async function readWorkspaces(kc: k8s.KubeConfig, namespace: string | undefined): Promise<StoredObject[]> {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const items: StoredObject[] = [];
  let next: string | undefined;
  do {
    const page = (
      namespace === undefined
        ? await api.listClusterCustomObject({ ...WORKSPACES, limit: PAGE, _continue: next })
        : await api.listNamespacedCustomObject({ ...WORKSPACES, namespace, limit: PAGE, _continue: next })
    ) as { items: StoredObject[]; metadata?: { _continue?: string; continue?: string } };
    items.push(...page.items);
    next = page.metadata?.continue ?? page.metadata?._continue;
  } while (next !== undefined && next !== '');
  return items;
}

async function readConfigMap(
  core: k8s.CoreV1Api,
  namespace: string,
  name: string,
): Promise<StoredObject | undefined> {
  try {
    return (await core.readNamespacedConfigMap({ namespace, name })) as StoredObject;
  } catch (error) {
    if (error instanceof k8s.ApiException && error.code === 404) return undefined;
    throw error;
  }
}

/** Every ConfigMap of `namespace`, page by page. */
async function readConfigMaps(core: k8s.CoreV1Api, namespace: string): Promise<StoredObject[]> {
  const items: StoredObject[] = [];
  let next: string | undefined;
  do {
    const page = await core.listNamespacedConfigMap({ namespace, limit: PAGE, _continue: next });
    items.push(...(page.items as StoredObject[]));
    next = page.metadata?._continue;
  } while (next !== undefined && next !== '');
  return items;
}

function keptLine(kept: KeptTuningDefaults): string {
  return `note: ${kept.workspace} ran with the namespace’s edited ${kept.template}: written as ConfigMap ${kept.configMap} and named in tuning.config`;
}

function referenceLine(ref: ImportReference): string {
  return ref.kind === 'Secret'
    ? `note: ${ref.workspace} names Secret ${ref.name} (${ref.field}): it stays in the cluster, not in git`
    : `warning: ${ref.workspace} names ConfigMap ${ref.name} (${ref.field}), which is not in the cluster`;
}

export const importCommand: Command = {
  name: 'import',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseFlags(args, {
      namespace: { type: 'string', short: 'n' },
      out: { type: 'string', default: 'gitops/workspaces' },
      force: { type: 'boolean', default: false },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      ...catalogFlags,
      ...outputFlag,
    });
    const output = outputFormat(values.output);
    const cloud = cloudFlag(values.cloud);
    const catalog = await loadCatalog(values.presets, io);
    const kc = loadKubeConfig(values.kubeconfig, io.env, values.context);
    const server = kc.getCurrentCluster()?.server ?? 'the cluster';

    let workspaces: StoredObject[];
    const configMaps: StoredObject[] = [];
    // Where a tuning Workspace names no tuning.config, Kaito's template in its namespace (and the names
    // taken there) decide what it ran with.
    const namespaceConfigMaps: StoredObject[] = [];
    try {
      workspaces = await readWorkspaces(kc, values.namespace);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const first = importFiles(workspaces, []);
      for (const ref of first.references) {
        if (ref.kind !== 'ConfigMap') continue;
        const namespace = ref.workspace.split('/')[0] ?? '';
        const found = await readConfigMap(core, namespace, ref.name);
        if (found !== undefined) configMaps.push(found);
      }
      const templated = workspaces.filter(usesTuningTemplate).map((w) => w.metadata?.namespace ?? '');
      for (const namespace of [...new Set(templated)].sort()) {
        namespaceConfigMaps.push(...(await readConfigMaps(core, namespace)));
      }
    } catch (error) {
      throw apiFailure(`reading Workspaces and ConfigMaps from ${server}`, error);
    }
    const result = importFiles(workspaces, configMaps, {
      namespaceConfigMaps,
      tuningDefaults: catalog.tuningDefaults,
    });
    const checked = hydrate(
      result.files.map((f) => ({ path: join(values.out, f.path), content: f.content })),
      { catalog, cloud },
    );

    const out = resolve(io.cwd, values.out);
    const writes: { path: string; content: string }[] = [];
    for (const file of result.files) {
      const target = join(out, file.path);
      const current = await readFile(target, 'utf8').catch(() => undefined);
      if (current === file.content) continue;
      if (current !== undefined && !values.force)
        throw new UsageError(
          `${join(values.out, file.path)} exists with other content; pass --force to overwrite it`,
        );
      writes.push({ path: target, content: file.content });
    }
    for (const write of writes) {
      await mkdir(dirname(write.path), { recursive: true });
      await writeFile(write.path, write.content);
    }

    if (output === 'json') {
      io.stdout(
        JSON.stringify(
          {
            files: result.files.map((f) => join(values.out, f.path)),
            references: result.references,
            tuningDefaults: result.tuningDefaults,
            errors: errorsJson(checked.errors),
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      for (const file of result.files) io.stdout(`wrote ${join(values.out, file.path)}\n`);
      for (const kept of result.tuningDefaults) io.stderr(`${keptLine(kept)}\n`);
      for (const ref of result.references) io.stderr(`${referenceLine(ref)}\n`);
      reportErrors(checked.errors, io);
      io.stdout(
        `${workspaces.length} Workspaces imported into ${values.out}` +
          (checked.errors.length > 0 ? `; ${checked.errors.length} with problems sync would refuse` : '') +
          '\n',
      );
    }
    return checked.errors.length > 0 ? EXIT.invalid : EXIT.ok;
  },
};
