/**
 * The catalog's data model: model presets and GPU SKUs (loaded from `presets/`), and the plan that
 * sizing produces for one Workspace. Plans are plain data: synthesis turns a plan into manifests
 * without looking anything up.
 */
import type { Runtime, Workspace } from '../api/types.ts';

export type Cloud = 'azure' | 'aws' | 'arc';

export interface GpuSku {
  /** Instance type, e.g. `Standard_NC24ads_A100_v4` or `p5.48xlarge`. */
  name: string;
  cloud: Cloud;
  gpuCount: number;
  /** GPU memory of the whole node, GiB. */
  gpuMemoryGiB: number;
  /** e.g. `NVIDIA A100`. */
  gpuModel: string;
  /** Local NVMe disks (Kaito puts weights there when a storage class exists). */
  nvme: boolean;
  /** On-demand list price per node-hour in USD, where known; used to pick the cheapest SKU that fits. */
  pricePerHourUsd?: number;
}

export interface VllmRuntimeSpec {
  /** Extra `--flag=value` arguments (value `true` renders as a bare `--flag`). */
  args: Record<string, string | number | true>;
}

export interface TransformersRuntimeSpec {
  /** `accelerate launch` (most presets) or `torchrun` (llama-2). */
  launcher: 'accelerate' | 'torchrun';
  /** Model arguments passed to `inference_api.py` (`--key=value`). */
  args: Record<string, string | number | true>;
}

export interface ModelPreset {
  /** Kaito preset name, e.g. `phi-3-mini-4k-instruct`. */
  name: string;
  /** Hugging Face repository the weights come from, e.g. `microsoft/Phi-3-mini-4k-instruct`. */
  huggingFaceId?: string;
  /** Refused with Kaito's "Model %s is deprecated and no longer supported". */
  deprecated: boolean;
  /** `private` presets (llama-2) need `presetOptions.image` (v1alpha1 accessMode private). */
  accessMode: 'public' | 'private';
  /** Needs `presetOptions.modelAccessSecret` with an `HF_TOKEN` key (gated Hugging Face models). */
  requiresHuggingFaceToken: boolean;
  /** Size of the weights (safetensors), GiB. */
  weightsGiB: number;
  /** Node disk the preset needs, GiB. */
  diskGiB: number;
  /** Model context window (ModelTokenLimit). */
  contextTokens: number;
  /** KV-cache bytes per token, for node estimation. */
  bytesPerToken: number;
  /** Minimum GPUs and memory, as Kaito v0.3 checked them (transformers era). */
  minGpuCount: number;
  /** Total GPU memory the preset needs, GiB (webhook "Insufficient total GPU memory"). */
  totalGpuMemoryGiB: number;
  /** Per-GPU memory the preset needs, GiB; 0 = no per-GPU constraint. */
  perGpuMemoryGiB: number;
  /** Runtimes the preset supports and how each is launched. */
  runtimes: { vllm?: VllmRuntimeSpec; transformers?: TransformersRuntimeSpec };
  /** Can run across several nodes (StatefulSet + headless Service). */
  distributed: boolean;
  /** Fine-tuning support (`tuning.preset`). */
  tuning: { supported: boolean; gpuMemoryGiB?: number };
  /** Preset image (transformers era images carry the weights): repository and tag. */
  image: { repository: string; tag: string };
  /** How long the server may take to become ready. */
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
  /** Where the SKU prices come from and when they were read, for `plan`'s explanation. */
  priceSource: string;
}

export type WorkloadKind = 'inference-preset' | 'inference-template' | 'tuning';

/** Everything synthesis needs to render one Workspace. */
export interface WorkspacePlan {
  workspace: Workspace;
  workload: WorkloadKind;
  /** Undefined for template workspaces. */
  preset?: ModelPreset;
  /** The SKU the workload runs on: from the spec, chosen by price, or undefined for BYO nodes. */
  instanceType?: string;
  sku?: GpuSku;
  skuSource: 'spec' | 'cheapest-fit' | 'byo';
  /** Nodes (one pod per node). */
  nodes: number;
  gpusPerNode: number;
  runtime: Runtime;
  parallelism: { tensor: number; pipeline: number; data: number };
  /** More than one node: StatefulSet + headless Service instead of a Deployment. */
  multiNode: boolean;
  /** Container image of the main container. */
  image: string;
  /** Main container command, e.g. `['/bin/sh', '-c', 'python3 /workspace/vllm/inference_api.py ...']`. */
  command: string[];
  diskGiB: number;
  readinessTimeoutSeconds: number;
  /** Human-readable decisions, printed by `plan` (e.g. why this SKU, why this many nodes). */
  notes: string[];
}
