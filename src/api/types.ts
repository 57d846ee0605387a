/**
 * Kaito's Workspace, as users write it (`kaito.sh/v1alpha1` and `kaito.sh/v1beta1` have the same shape:
 * `resource`, `inference` and `tuning` sit at the top level, there is no `spec`), and the one normalized
 * model that the rest of the pipeline works on.
 */

import type { ApiVersion } from './constants.ts';

export type { ApiVersion } from './constants.ts';

export const RUNTIMES = ['vllm', 'transformers'] as const;
/** Inference server. `kaito.sh/runtime` annotation; default `transformers` for v1alpha1, `vllm` for v1beta1. */
export type Runtime = (typeof RUNTIMES)[number];

export const TUNING_METHODS = ['lora', 'qlora'] as const;
export type TuningMethod = (typeof TUNING_METHODS)[number];

/** A JSON object whose shape Kubernetes owns (pod templates, volume sources): passed through as written. */
export type JsonObject = { [key: string]: unknown };

export interface ObjectMeta {
  name: string;
  /** @default "default" */
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ResourceSpec {
  /** Node count. Deprecated in v1beta1 (estimated from the preset); @default 1 */
  count?: number;
  /** GPU SKU (e.g. `Standard_NC6s_v3`). Empty = bring-your-own nodes, or let `plan` pick the cheapest fit. */
  instanceType?: string;
  /** Nodes the workload may run on; required by Kaito. */
  labelSelector: LabelSelector;
  preferredNodes?: string[];
  /** v1beta1 GPU partitioning (MIG / accelerator); BYO nodes only. */
  partition?: { mode: 'mig' | 'accelerator'; profile?: string; count?: number };
}

export interface PresetOptions {
  image?: string;
  imagePullSecrets?: string[];
  /** Secret holding `HF_TOKEN` (v1beta1). */
  modelAccessSecret?: string;
}

export interface PresetSpec {
  name: string;
  /** @default "public" */
  accessMode?: 'public' | 'private';
  presetOptions?: PresetOptions;
}

export interface DataSource {
  name?: string;
  urls?: string[];
  image?: string;
  imagePullSecrets?: string[];
  /** A corev1.VolumeSource. */
  volumeSource?: JsonObject;
}

export interface DataDestination {
  image?: string;
  imagePushSecret?: string;
  /** A corev1.VolumeSource. */
  volumeSource?: JsonObject;
}

export interface AdapterSpec {
  source: DataSource;
  /** Decimal string between 0 and 1. @default "1.0" */
  strength?: string;
}

export interface InferenceSpec {
  preset?: PresetSpec;
  /** A corev1.PodTemplateSpec, used instead of a preset. */
  template?: JsonObject;
  /** Name of a ConfigMap in the Workspace's namespace holding `inference_config.yaml`. */
  config?: string;
  adapters?: AdapterSpec[];
}

export interface TuningSpec {
  preset: PresetSpec;
  method: TuningMethod;
  /** Name of a ConfigMap holding `training_config.yaml`. */
  config?: string;
  input: DataSource;
  output: DataDestination;
}

/** A Workspace as written in the source repository (and as Kaito accepts it). */
export interface WorkspaceDocument {
  apiVersion: ApiVersion;
  kind: 'Workspace';
  metadata: ObjectMeta;
  resource: ResourceSpec;
  inference?: InferenceSpec;
  tuning?: TuningSpec;
}

/** Where a document came from: a path relative to the source root, and its index in a multi-doc file. */
export interface SourceRef {
  file: string;
  index: number;
}

/**
 * The normalized Workspace the pipeline works on: defaults applied (namespace, count, accessMode,
 * runtime) and the version difference folded away. `document` keeps what the user wrote, so the
 * rendered output can carry the Workspace object itself.
 */
export interface Workspace {
  apiVersion: ApiVersion;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  resource: ResourceSpec & { count: number };
  inference?: InferenceSpec;
  tuning?: TuningSpec;
  runtime: Runtime;
  source: SourceRef;
  document: WorkspaceDocument;
}

/** A plain Kubernetes object from the source repository next to the Workspaces (ConfigMap, PVC, ...). */
export interface SourceObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** A ConfigMap from the source, needed to validate `inference.config` / `tuning.config`. */
export interface ConfigMapObject extends SourceObject {
  kind: 'ConfigMap';
  data?: Record<string, string>;
}
