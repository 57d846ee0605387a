/** Hand-built Workspaces (the api folder normalizes real ones) and the real catalog, read once. */
import type {
  ApiVersion,
  InferenceSpec,
  ResourceSpec,
  Runtime,
  TuningSpec,
  Workspace,
} from '../../../src/api/types.ts';
import { readCatalog } from '../../../src/catalog/load.ts';
import type { Catalog } from '../../../src/catalog/types.ts';

export const catalog: Catalog = await readCatalog();

export interface WorkspaceOptions {
  name?: string;
  apiVersion?: ApiVersion;
  runtime?: Runtime;
  instanceType?: string;
  /** `resource.count` as written; undefined = not written (defaults to 1). */
  count?: number;
  preferredNodes?: string[];
  partition?: ResourceSpec['partition'];
  annotations?: Record<string, string>;
  inference?: InferenceSpec;
  tuning?: TuningSpec;
}

export function workspace(options: WorkspaceOptions): Workspace {
  const apiVersion = options.apiVersion ?? 'kaito.sh/v1beta1';
  const name = options.name ?? 'ws';
  const resource: ResourceSpec = { labelSelector: { matchLabels: { apps: name } } };
  if (options.instanceType !== undefined) resource.instanceType = options.instanceType;
  if (options.count !== undefined) resource.count = options.count;
  if (options.preferredNodes) resource.preferredNodes = options.preferredNodes;
  if (options.partition) resource.partition = options.partition;
  const annotations = options.annotations ?? {};
  return {
    apiVersion,
    name,
    namespace: 'default',
    labels: {},
    annotations,
    resource: { ...resource, count: options.count ?? 1 },
    ...(options.inference ? { inference: options.inference } : {}),
    ...(options.tuning ? { tuning: options.tuning } : {}),
    runtime: options.runtime ?? (apiVersion === 'kaito.sh/v1alpha1' ? 'transformers' : 'vllm'),
    source: { file: `workspaces/${name}.yaml`, index: 0 },
    document: {
      apiVersion,
      kind: 'Workspace',
      metadata: { name, annotations },
      resource,
      ...(options.inference ? { inference: options.inference } : {}),
      ...(options.tuning ? { tuning: options.tuning } : {}),
    },
  };
}

/** An inference Workspace for `preset`. */
export function inference(preset: string, options: WorkspaceOptions & { secret?: string } = {}): Workspace {
  return workspace({
    ...options,
    inference: {
      ...options.inference,
      preset: {
        name: preset,
        ...(options.inference?.preset ?? {}),
        ...(options.secret ? { presetOptions: { modelAccessSecret: options.secret } } : {}),
      },
    },
  });
}

/** A qlora tuning Workspace for `preset`. */
export function tuning(preset: string, options: WorkspaceOptions = {}): Workspace {
  return workspace({
    ...options,
    tuning: {
      preset: { name: preset },
      method: 'qlora',
      input: { urls: ['https://example.com/data.parquet'] },
      output: { image: 'registry.example.com/adapter:0.0.1', imagePushSecret: 'push' },
    },
  });
}
