/**
 * Seed Workspaces for the api tests (written here, not read from anywhere), and helpers that load a
 * document through the real loader and return its problems as `path: message` lines.
 */
import { stringify } from 'yaml';
import { loadSources } from '../../../src/api/index.ts';
import type { LoadResult, SourceFile } from '../../../src/api/index.ts';

// Tests edit seed documents freely, deep fields included, so their type stays loose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = Record<string, any>;

export function inferenceV1beta1(): Doc {
  return {
    apiVersion: 'kaito.sh/v1beta1',
    kind: 'Workspace',
    metadata: { name: 'workspace-phi-4-mini' },
    resource: {
      instanceType: 'Standard_NC24ads_A100_v4',
      labelSelector: { matchLabels: { apps: 'phi-4-mini' } },
    },
    inference: { preset: { name: 'phi-4-mini-instruct' } },
  };
}

export function inferenceV1alpha1(): Doc {
  return {
    apiVersion: 'kaito.sh/v1alpha1',
    kind: 'Workspace',
    metadata: { name: 'workspace-falcon-7b', namespace: 'models' },
    resource: { instanceType: 'Standard_NC12s_v3', labelSelector: { matchLabels: { apps: 'falcon-7b' } } },
    inference: {
      preset: { name: 'falcon-7b' },
      adapters: [
        {
          source: { name: 'falcon-7b-adapter', image: 'myregistry.azurecr.io/adapter:0.0.1' },
          strength: '0.2',
        },
      ],
    },
  };
}

export function tuningV1beta1(): Doc {
  return {
    apiVersion: 'kaito.sh/v1beta1',
    kind: 'Workspace',
    metadata: { name: 'workspace-tuning-phi-3' },
    resource: {
      instanceType: 'Standard_NC24ads_A100_v4',
      labelSelector: { matchLabels: { app: 'tuning-phi-3' } },
    },
    tuning: {
      preset: { name: 'phi-3-mini-128k-instruct' },
      method: 'qlora',
      input: { urls: ['https://huggingface.co/datasets/example/resolve/main/train.parquet?download=true'] },
      output: { image: 'myregistry.azurecr.io/phi-3-adapter:0.0.1', imagePushSecret: 'registry-push' },
    },
  };
}

export function configMap(name: string, data: Record<string, string>, namespace?: string): Doc {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: namespace ? { name, namespace } : { name }, data };
}

/** YAML text of several documents. */
export function yamlOf(...docs: unknown[]): string {
  return docs.map((d) => stringify(d)).join('---\n');
}

export function load(...docs: unknown[]): LoadResult {
  return loadSources([{ path: 'workspaces/test.yaml', content: yamlOf(...docs) }]);
}

export function loadFiles(files: SourceFile[]): LoadResult {
  return loadSources(files);
}

/** Every problem of every failure, as `path: message`. */
export function problemsOf(result: LoadResult): string[] {
  return result.failures.flatMap((f) =>
    f.problems.map((p) => {
      const at = p.line === undefined ? '' : `line ${p.line}, column ${p.column}: `;
      return at + (p.path === '' ? p.message : `${p.path}: ${p.message}`);
    }),
  );
}

/** A deep copy of `doc` changed by `edit`. */
export function edit(doc: Doc, change: (d: Doc) => unknown): Doc {
  const copy = structuredClone(doc);
  change(copy);
  return copy;
}
