/**
 * The main container's command line for each runtime, assembled like Kaito does
 * (`pkg/model/interface.go` `buildVLLMInferenceCommand`, `configureParallelism`,
 * `buildMultiNodeRayCommand`; v0.3.2 `prepareInferenceParameters` for accelerate/torchrun; v0.12
 * `GetTuningCommand`), but with flags in one fixed order so the rendered manifests are byte-stable
 * (Kaito iterates a Go map, so its order varies from run to run).
 */
import { CONFIG_FILE, RAY_PORT, TORCH_PORT, WEIGHTS_DIR } from './pod-contract.ts';
import type { FlagValue, ModelPreset } from './types.ts';

export const VLLM_BASE_COMMAND = 'python3 /workspace/vllm/inference_api.py';
export const TRANSFORMERS_INFERENCE_FILE = '/workspace/tfs/inference_api.py';
/** Where the tuning command runs Kaito's trainer: its working directory. */
export const TUNING_DIR = '/workspace/tfs';
export const TUNING_FILE = `${TUNING_DIR}/fine_tuning.py`;
/** vLLM's KV-cache events over ZMQ on {@link KV_EVENTS_PORT}, for KV-aware routers. */
export const KV_EVENTS_CONFIG = '{"enable_kv_cache_events":true}';

/** `--gpu-memory-utilization` Kaito passes: 0.82 on the 24 GiB A10 (less headroom), else 0.84. */
export function gpuMemoryUtilizationFlag(gpuModel: string | undefined): string {
  return gpuModel === 'NVIDIA A10' ? '0.82' : '0.84';
}

function shellQuote(value: string): string {
  return /^[\w./:=,@+%-]*$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `--key=value` pairs in the given order; `true` renders as a bare `--key`. */
export function renderFlags(flags: readonly (readonly [string, FlagValue])[]): string {
  return flags
    .map(([key, value]) => (value === true ? `--${key}` : `--${key}=${shellQuote(String(value))}`))
    .join(' ');
}

function line(...parts: string[]): string {
  return parts.filter((part) => part !== '').join(' ');
}

export function shell(command: string): string[] {
  return ['/bin/sh', '-c', command];
}

export interface Parallelism {
  tensor: number;
  pipeline: number;
  data: number;
  /** Kaito turns KV-cache CPU offload off with data or pipeline parallelism. */
  disableKvCacheOffload: boolean;
}

/**
 * Kaito's three tiers: weights under half of one GPU on a single multi-GPU node → one replica per GPU
 * (data parallel); otherwise shard across the node's GPUs (tensor parallel); across nodes add
 * pipeline parallelism, one stage per node.
 */
export function vllmParallelism(input: {
  weightsGiB: number;
  gpusPerNode: number;
  /** Undefined when the node's GPU memory is unknown (BYO nodes, SKUs outside the catalog). */
  nodeGpuMemoryGiB: number | undefined;
  nodes: number;
  multiNode: boolean;
}): Parallelism {
  const { weightsGiB, gpusPerNode, nodeGpuMemoryGiB, nodes, multiNode } = input;
  const fitsOnHalfAGpu =
    nodeGpuMemoryGiB !== undefined && gpusPerNode > 1 && weightsGiB * gpusPerNode * 2 < nodeGpuMemoryGiB;
  if (!multiNode && fitsOnHalfAGpu) {
    return { tensor: 1, pipeline: 1, data: gpusPerNode, disableKvCacheOffload: true };
  }
  if (multiNode) return { tensor: gpusPerNode, pipeline: nodes, data: 1, disableKvCacheOffload: true };
  return { tensor: gpusPerNode, pipeline: 1, data: 1, disableKvCacheOffload: false };
}

export interface VllmCommandInput {
  preset: ModelPreset;
  /** GPU model of the SKU, when known (the A10 gets a lower memory utilization). */
  gpuModel?: string;
  parallelism: Parallelism;
  /** Weights come from Hugging Face (false when a private image carries them). */
  downloadWeights: boolean;
  adapters: boolean;
  /** `inference.config` is set: the ConfigMap is mounted at /mnt/config. */
  configFile: boolean;
  /**
   * KV-cache CPU offload may stay on. Kaito turns it off for hybrid-KV architectures, gpt-oss and MIG
   * slices, as it does for data and pipeline parallelism. @default true
   */
  kvCacheOffload?: boolean;
  /** `kaito.sh/performance-mode`; `balanced` (the default) adds nothing. */
  performanceMode?: string;
  multiNode?: { nodes: number; leaderAddress: string };
}

/** The vLLM server command (single-node form, or the Ray leader/worker wrapper for several nodes). */
export function vllmCommand(input: VllmCommandInput): string {
  const { preset, parallelism } = input;
  const flags: [string, FlagValue][] = Object.entries(preset.runtimes.vllm?.args ?? {});
  flags.push(['gpu-memory-utilization', gpuMemoryUtilizationFlag(input.gpuModel)], ['max-model-len', 'auto']);
  if (parallelism.data > 1) flags.push(['data-parallel-size', parallelism.data]);
  flags.push(['tensor-parallel-size', parallelism.tensor]);
  if (input.multiNode) {
    flags.push(['pipeline-parallel-size', parallelism.pipeline], ['distributed-executor-backend', 'ray']);
  }
  flags.push(['served-model-name', preset.servedModelName]);
  if (input.downloadWeights && preset.huggingFaceId) {
    flags.push(['model', preset.huggingFaceId]);
    if (preset.revision) flags.push(['code-revision', preset.revision]);
    flags.push(['download-dir', WEIGHTS_DIR]);
  }
  if (input.adapters) flags.push(['enable-lora', true]);
  if (input.configFile) flags.push(['kaito-config-file', CONFIG_FILE]);
  if (parallelism.disableKvCacheOffload || input.kvCacheOffload === false) {
    flags.push(['kaito-kv-cache-cpu-memory-utilization', 0]);
  }
  // KV-cache events over ZMQ on port 5557 for KV-aware routers (Kaito v0.12 turns them on for every model).
  flags.push(['kv-events-config', KV_EVENTS_CONFIG]);
  // vLLM >= 0.22.1 JIT-compiles this fusion with nvcc, which the runtime image lacks (Kaito disables it).
  flags.push(['compilation-config.pass_config.fuse_allreduce_rms', 'False']);
  if (input.performanceMode && input.performanceMode !== 'balanced') {
    flags.push(['performance-mode', input.performanceMode]);
  }
  const server = line(VLLM_BASE_COMMAND, renderFlags(flags));
  if (!input.multiNode) return server;
  const { nodes, leaderAddress } = input.multiNode;
  const leader = line(
    '/workspace/vllm/multi-node-serving.sh leader',
    renderFlags([
      ['ray_cluster_size', nodes],
      ['ray_port', RAY_PORT],
    ]),
  );
  const worker = line(
    '/workspace/vllm/multi-node-serving.sh worker',
    renderFlags([
      ['ray_address', leaderAddress],
      ['ray_port', RAY_PORT],
    ]),
  );
  return `if [ "\${POD_INDEX}" = "0" ]; then ${leader}; ${server}; else ${worker}; fi`;
}

const ACCELERATE_FLAGS = (processes: number): [string, FlagValue][] => [
  ['num_processes', processes],
  ['num_machines', 1],
  ['machine_rank', 0],
  ['gpu_ids', 'all'],
];

/** `accelerate launch ... /workspace/tfs/inference_api.py <model args>`. */
export function accelerateInferenceCommand(preset: ModelPreset, downloadWeights: boolean): string {
  const flags: [string, FlagValue][] = Object.entries(preset.runtimes.transformers?.args ?? {});
  if (downloadWeights && preset.huggingFaceId) {
    flags.push(['pretrained_model_name_or_path', preset.huggingFaceId]);
    if (preset.revision) flags.push(['revision', preset.revision]);
    flags.push(['allow_remote_files', true]);
  }
  return line(
    'accelerate launch',
    renderFlags(ACCELERATE_FLAGS(1)),
    TRANSFORMERS_INFERENCE_FILE,
    renderFlags(flags),
  );
}

/**
 * llama-2 (v0.3.2): `cd /workspace/llama/llama-2 && torchrun <torch params> <rdzv params> inference_api.py
 * <model params>`. Distributed presets spread `worldSize` processes over the nodes and rendezvous at
 * pod 0 through the headless Service; Kaito used the Service's ClusterIP as master_addr, which a
 * manifest cannot know, so pod 0's stable DNS name stands in.
 */
export function torchrunInferenceCommand(
  preset: ModelPreset,
  input: { distributed: boolean; nodes: number; leaderAddress: string },
): string {
  const worldSize = preset.runtimes.transformers?.worldSize ?? 1;
  const nodes = input.distributed ? input.nodes : 1;
  // One node rendezvouses locally; only several nodes need pod 0 through the headless Service.
  const multi = input.distributed && nodes > 1;
  // The node rank is the StatefulSet ordinal, read from the hostname by the shell: left unquoted.
  const nodeRank = multi ? `--node_rank=$(echo $HOSTNAME | grep -o '[^-]*$')` : '--node_rank=0';
  const torch = line(
    renderFlags([
      ['nnodes', nodes],
      ['nproc_per_node', input.distributed ? worldSize / nodes : 1],
    ]),
    nodeRank,
    renderFlags([
      ['master_addr', multi ? input.leaderAddress : 'localhost'],
      ['master_port', TORCH_PORT],
    ]),
  );
  const rdzv: [string, FlagValue][] = [
    ['max_restarts', 3],
    ['rdzv_id', 'job'],
    ['rdzv_backend', 'c10d'],
    ['rdzv_endpoint', `${multi ? input.leaderAddress : 'localhost'}:${TORCH_PORT}`],
  ];
  const model: [string, FlagValue][] = Object.entries(preset.runtimes.transformers?.args ?? {});
  return line(
    'cd /workspace/llama/llama-2 && torchrun',
    torch,
    renderFlags(rdzv),
    'inference_api.py',
    renderFlags(model),
  );
}

/** v0.12 tuning: the metrics server in the background, then accelerate with one process per GPU. */
export function tuningCommand(gpus: number): string {
  return line(
    `cd ${TUNING_DIR}/ && python3 metrics_server.py & accelerate launch`,
    renderFlags(ACCELERATE_FLAGS(gpus)),
    TUNING_FILE,
  );
}
