/**
 * The catalog's data model: model presets and GPU SKUs (loaded from `presets/`), and the plan that
 * sizing produces for one Workspace. Plans are plain data: synthesis turns a plan into manifests
 * without looking anything up.
 */
import type {
  ApiVersion,
  InferenceSpec,
  JsonObject,
  NodeSource,
  PresetSpec,
  Runtime,
  TrainingOutput,
  TuningMethod,
  TuningSpec,
  Workspace,
} from '../api/index.ts';
import type { HuggingFaceRules, ModelFacts } from './huggingface-model.ts';

export const CLOUDS = ['azure', 'aws', 'arc'] as const;
export type Cloud = (typeof CLOUDS)[number];

export interface GpuSku {
  /** Instance type, e.g. `Standard_NC24ads_A100_v4` or `p5.48xlarge`. */
  name: string;
  cloud: Cloud;
  gpuCount: number;
  /** GPU memory of the whole node, GiB. */
  gpuMemoryGiB: number;
  /** e.g. `NVIDIA A100`. */
  gpuModel: string;
  /** CUDA compute capability (NVIDIA only). Kaito v0.12 keeps only SKUs with >= 8.0 in its tables. */
  computeCapability?: number;
  /** Local NVMe disks (Kaito puts weights there when a storage class exists). @default false */
  nvme: boolean;
  /** On-demand list price per node-hour in USD, where known; used to pick the cheapest SKU that fits. */
  pricePerHourUsd?: number;
}

/** A flag value: `true` renders as a bare `--flag`. */
export type FlagValue = string | number | true;

export interface VllmRuntimeSpec {
  /** Extra `--flag=value` arguments, rendered in the order written (value `true` renders as a bare `--flag`). */
  args: Record<string, FlagValue>;
  /** vLLM can serve LoRA adapters for this model (Kaito `DisallowLoRA` inverted). @default true */
  loraAdapters: boolean;
}

export interface TransformersRuntimeSpec {
  /** `accelerate launch` (most presets) or `torchrun` (llama-2). */
  launcher: 'accelerate' | 'torchrun';
  /** Model arguments passed to `inference_api.py` (`--key=value`). */
  args: Record<string, FlagValue>;
  /** torchrun only: total processes (one per GPU) across all nodes (Kaito v0.3.2 `WorldSize`). */
  worldSize?: number;
}

/** Where a preset's data comes from. */
export type PresetOrigin =
  /** Kaito v0.12's model catalog (`presets/model-catalog.yaml`), by Hugging Face ID. */
  | 'catalog'
  /** A legacy preset name (`presets/models.yaml`): transformers-era images, torchrun, tuning. */
  | 'legacy'
  /** A Hugging Face ID outside the catalog, sized from the Hub and kept in the Hugging Face cache file. */
  | 'huggingface';

export interface ModelPreset {
  /** What the spec names: a legacy preset name (`phi-3-mini-4k-instruct`) or a Hugging Face ID. */
  name: string;
  origin: PresetOrigin;
  /** `--served-model-name`: Kaito's short name for a Hugging Face ID, the preset name otherwise. */
  servedModelName: string;
  /** Model architectures from `config.json` (empty where Kaito's tables do not say). */
  architectures: string[];
  /** Origin `huggingface`: the cached facts it was sized from (rendered onto the Workspace for the agent). */
  huggingFace?: HuggingFaceCacheEntry;
  /** Hugging Face repository the weights come from, e.g. `microsoft/Phi-3-mini-4k-instruct`. */
  huggingFaceId?: string;
  /** Hugging Face commit the weights are pinned to (`--code-revision` / `--revision`). */
  revision?: string;
  /** Refused with Kaito's "Model %s is deprecated and no longer supported". @default false */
  deprecated: boolean;
  /** `private` presets (llama-2) need `presetOptions.image` (v1alpha1 accessMode private). @default "public" */
  accessMode: 'public' | 'private';
  /** Needs `presetOptions.modelAccessSecret` with an `HF_TOKEN` key (gated Hugging Face models). @default false */
  requiresHuggingFaceToken: boolean;
  /** Size of the weights (safetensors), GiB. */
  weightsGiB: number;
  /** Node disk the preset needs, GiB. */
  diskGiB: number;
  /** Model context window (ModelTokenLimit). */
  contextTokens: number;
  /** KV-cache bytes per token, for node estimation. */
  bytesPerToken: number;
  /** vLLM may offload the KV cache to CPU memory (Kaito turns it off for some architectures). @default true */
  kvCacheOffload: boolean;
  /** vLLM needs nvcc at run time: Kaito installs a CUDA toolkit on the node from an init container. @default false */
  cudaToolkit: boolean;
  /** Runtimes the preset supports and how each is launched. */
  runtimes: { vllm?: VllmRuntimeSpec; transformers?: TransformersRuntimeSpec };
  /** Can run across several nodes (StatefulSet + headless Service). @default false */
  distributed: boolean;
  /** Fine-tuning support (`tuning.preset`); `gpuMemoryGiB` is Kaito's guidance, not enforced. */
  tuning: { supported: boolean; gpuMemoryGiB?: number };
  /**
   * The preset's own image with the weights baked in (transformers era `kaito-<preset>:<tag>`), used by
   * the transformers runtime and tuning. Absent for presets whose weights only come from Hugging Face
   * at start-up, and for private presets (the user supplies `presetOptions.image`).
   */
  image?: { repository: string; tag: string };
  /** How long the server may take to become ready. @default 30 */
  readinessTimeoutMinutes: number;
}

/** Look-ups over loaded data: `get` returns undefined, `require` throws a SpecError naming the choices. */
export interface Registry<T> {
  get(name: string): T | undefined;
  require(name: string): T;
  list(): readonly T[];
}

export interface Catalog {
  presets: Registry<ModelPreset>;
  skus: Registry<GpuSku>;
  /** Where the SKU prices come from and when they were read, for `plan`'s explanation (all clouds). */
  priceSource: string;
  /** The same, per cloud. */
  priceSources: Partial<Record<Cloud, string>>;
  /** Kaito's base image (vLLM and download-at-runtime transformers), e.g. `mcr.microsoft.com/aks/kaito/kaito-base:0.5.0`. */
  baseImage: string;
  /** Kaito v0.12's model catalog, by Hugging Face ID. */
  models: readonly CatalogModel[];
  /** How Kaito turns a model's facts into vLLM arguments (`presets/huggingface-rules.yaml`). */
  huggingFaceRules: HuggingFaceRules;
  /** GPU partition profiles (`presets/gpu-partitions.yaml`). */
  partitions: GpuPartitions;
  /** Per cloud, the prefixes of instance types Kaito admits without knowing them (Azure `Standard_N`, `Standard_D`). */
  unlistedSkuPrefixes: Partial<Record<Cloud, readonly string[]>>;
  /** Models sized from the Hugging Face Hub for IDs outside the catalog (the cache file next to the specs). */
  huggingFaceCache: HuggingFaceCache;
  /** Kaito's default fine-tuning parameters per API version and method (`presets/tuning-defaults.yaml`). */
  tuningDefaults: readonly TuningDefault[];
}

/**
 * Kaito's default `training_config.yaml` for one API version and tuning method: what the trainer reads from
 * `/mnt/config` when the Workspace names no `tuning.config`. Checked when loaded like a `tuning.config`.
 */
export interface TuningDefault {
  apiVersion: ApiVersion;
  method: TuningMethod;
  /** The ConfigMap Kaito's chart ships it as, e.g. `qlora-params-template`. */
  kaitoConfigMap: string;
  /** The `training_config.yaml` text, as rendered into the Workspace's ConfigMap. */
  trainingConfig: string;
  /** Its `TrainingArguments.output_dir`, exactly as written. */
  outputDir: string;
}

/** The tuning parameters a tuning Job mounts at `/mnt/config`. */
export interface TrainingConfig {
  /** The ConfigMap's name: the Workspace's `tuning.config`, or the one rendered with {@link defaults}. */
  configMap: string;
  /** When the Workspace names no `tuning.config`: the defaults to render as {@link configMap}, beside the Job. */
  defaults?: TuningDefault;
}

/** One entry of the model catalog: Kaito's facts plus what it derives and supports. */
export interface CatalogModel {
  facts: ModelFacts;
  /** Legacy preset names that stand for this ID. */
  shortNames: string[];
  gated: boolean;
  /** transformers runtime arguments where Kaito v0.12 runs the model with transformers. */
  transformers?: Record<string, FlagValue>;
  tuning: boolean;
  servedModelName: string;
  vllmArgs: Record<string, FlagValue>;
}

/** A model the Hub told `plan` about: its facts, and whether the Hub asked for a token. */
export interface HuggingFaceCacheEntry {
  facts: ModelFacts;
  gated: boolean;
}

export interface HuggingFaceCache {
  /** Where the cache lives, for messages (e.g. `gitops/workspaces/.kaito-gitops/huggingface-models.yaml`). */
  path: string;
  entries: readonly HuggingFaceCacheEntry[];
}

export interface GpuPartitions {
  /** `nvidia.com/mig-`: a MIG slice is requested as `<prefix><profile>`. */
  migResourcePrefix: string;
  /** MIG profiles per GPU model. */
  migProfiles: readonly { gpu: string; profiles: readonly string[] }[];
}

/** Where the main container finds the model weights. */
export type WeightsSource =
  /** Baked into `image` (transformers-era preset images, private images). */
  | { kind: 'image' }
  /** Downloaded from Hugging Face by the server at start-up into `downloadDir`. */
  | { kind: 'huggingface'; repository: string; revision?: string; downloadDir: string }
  /** Template workspaces: whatever the user's pod template does. */
  | { kind: 'template' };

export interface ServicePort {
  name: string;
  port: number;
  targetPort: number;
}

/** The numbers behind a vLLM node estimate (Kaito v0.12 NodeEstimator), for `plan` to show. */
export interface NodeEstimate {
  maxModelLen: number;
  gpuMemoryUtilization: number;
  perGpuMemoryGiB: number;
  /** Per-GPU memory left for weights after overhead and KV cache, GiB. */
  availableForWeightsGiB: number;
  /** Weights once loaded (safetensors × 1.02), GiB. */
  loadedWeightsGiB: number;
  minGpus: number;
  nodes: number;
}

/** A GPU partition the workload runs on (`resource.partition`, bring-your-own nodes). */
export type PartitionPlan =
  /** One MIG slice, requested as the extended resource `resource` (`nvidia.com/mig-3g.40gb`). */
  | { mode: 'mig'; profile: string; resource: string; sliceGiB: number }
  /** `count` whole GPUs of a node. */
  | { mode: 'accelerator'; count: number };

/** What every plan has, whatever the workload. */
interface PlanCommon {
  /** The SKU the workload runs on: from the spec, chosen by price, or undefined for BYO nodes. */
  instanceType?: string;
  /** Undefined for BYO nodes and for SKUs Kaito allows by prefix but the catalog does not list. */
  sku?: GpuSku;
  skuSource: 'spec' | 'cheapest-fit' | 'byo';
  /** The cloud the plan was made for: Azure pods tolerate spot nodes, as Kaito's do. */
  cloud: Cloud;
  /** GPU partitioning, when the Workspace asks for it. */
  partition?: PartitionPlan;
  /**
   * Pin pods to the nodes provisioned for this Workspace (`kaito.sh/workspace`,
   * `kaito.sh/workspacenamespace`), as Kaito's provisioners do; false for bring-your-own nodes.
   */
  pinToWorkspaceNodes: boolean;
  /** Nodes (one pod per node). */
  nodes: number;
  /** GPUs each pod requests (`nvidia.com/gpu`). */
  gpusPerNode: number;
  runtime: Runtime;
  parallelism: { tensor: number; pipeline: number; data: number };
  /** Container image of the main container (template workspaces: the template's first container). */
  image: string;
  /** The server needs a CUDA toolkit on the node (Kaito's `cuda-toolkit-provisioner` init container). */
  cudaToolkit: boolean;
  /** Main container command, e.g. `['/bin/sh', '-c', 'python3 /workspace/vllm/inference_api.py ...']`; empty for templates. */
  command: string[];
  /** Environment of the main container (besides the HF token). */
  env: Record<string, string>;
  weights: WeightsSource;
  /** Secret with key `HF_TOKEN`, injected as env `HF_TOKEN` (v1beta1 `presetOptions.modelAccessSecret`). */
  huggingFaceTokenSecret?: string;
  /** Port the server listens on in the container. */
  containerPort: number;
  /** Ports of the Service named after the Workspace. */
  servicePorts: ServicePort[];
  diskGiB: number;
  readinessTimeoutSeconds: number;
  /** vLLM node estimate, when one was made. */
  estimate?: NodeEstimate;
  /** Human-readable decisions, printed by `plan` (e.g. why this SKU, why this many nodes). */
  notes: string[];
}

/** A Workspace whose `inference.preset` is set. */
export type PresetInferenceWorkspace = Workspace & { inference: InferenceSpec & { preset: PresetSpec } };
/** A Workspace whose `inference.template` is set. */
export type TemplateWorkspace = Workspace & { inference: InferenceSpec & { template: JsonObject } };
/** A Workspace whose `tuning` is set. */
export type TuningWorkspace = Workspace & { tuning: TuningSpec };

interface PresetInferencePlanCommon extends PlanCommon {
  workspace: PresetInferenceWorkspace;
  workload: 'inference-preset';
  preset: ModelPreset;
  /** HTTP path of the server's health endpoint (the probes use it). */
  healthPath: string;
}

/** A preset model served by one pod on one node: a Deployment. */
export interface SingleNodeInferencePlan extends PresetInferencePlanCommon {
  multiNode: false;
}

/** A preset model served across several nodes: a StatefulSet and a headless Service. */
export interface MultiNodeInferencePlan extends PresetInferencePlanCommon {
  multiNode: true;
  /** DNS name of pod 0 through the headless Service (Ray leader / torch rendezvous). */
  leaderAddress: string;
}

export type PresetInferencePlan = SingleNodeInferencePlan | MultiNodeInferencePlan;

/** The user's pod template, as written, on the Workspace's nodes (no probes added). */
export interface TemplatePlan extends PlanCommon {
  workspace: TemplateWorkspace;
  workload: 'inference-template';
  /** Templates name no preset. */
  preset?: undefined;
  multiNode: false;
}

/** A fine-tuning Job (one node). */
export interface TuningPlan extends PlanCommon {
  workspace: TuningWorkspace;
  workload: 'tuning';
  preset: ModelPreset;
  multiNode: false;
  /** Where the trainer writes the adapter and its completion file: the results volume's mount (results-dir.ts). */
  resultsDir: string;
  /** The parameters the trainer reads (training-config.ts). */
  trainingConfig: TrainingConfig;
}

/**
 * Everything synthesis needs to render one Workspace, by workload: the fields a workload has are
 * required in its branch.
 */
export type WorkspacePlan = PresetInferencePlan | TemplatePlan | TuningPlan;

/** The workload kinds, as plans name them. */
export type WorkloadKind = WorkspacePlan['workload'];

/** Facts from outside the Workspace that planning needs; all optional. */
export interface PlanContext {
  /** Cloud whose SKUs the cheapest-fit choice considers and whose SKU list errors name. @default "azure" */
  cloud?: Cloud;
  /**
   * The `vllm:` section of the Workspace's `inference.config` ConfigMap (`inference_config.yaml`), already
   * parsed (the api folder owns parsing). Only `max-model-len` is read here.
   */
  vllmConfig?: Readonly<Record<string, unknown>>;
  /** What the Workspace's `tuning.config` ConfigMap says about the trainer's output (parsed by api). */
  trainingOutput?: TrainingOutput;
  /**
   * Who makes the GPU nodes, from the repository's settings file: on `byo` nodes no pod is pinned to
   * per-Workspace node labels. @default "provisioned"
   */
  nodes?: NodeSource;
}
