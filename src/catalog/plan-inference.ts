/**
 * Sizing a preset inference Workspace, in the steps Kaito v0.12 takes: find the model (a catalog ID, a
 * legacy name, or a Hugging Face ID from the cache), check it and the runtime, place it (SKU, or a GPU
 * partition on your own nodes), count the nodes (vLLM: the NodeEstimator, ignoring `resource.count`;
 * transformers: `resource.count` against the weights), build the server command (parallelism,
 * multi-node), then the image, weights and Service ports. Each step returns its problems and notes;
 * nothing is passed in to be filled. Pure.
 */
import {
  BYPASS_RESOURCE_CHECKS_ANNOTATION,
  PERFORMANCE_MODE_ANNOTATION,
  type Runtime,
  type Workspace,
} from '../api/index.ts';
import type { Problem } from '../errors.ts';
import {
  accelerateInferenceCommand,
  shell,
  torchrunInferenceCommand,
  vllmCommand,
  vllmParallelism,
  type Parallelism,
} from './command.ts';
import { findPreset } from './models.ts';
import { describePartition, migFitProblems, migShortfall, migSku, partitionFor } from './partition.ts';
import { fitsOnOneNode, place, vllmEstimate } from './placement.ts';
import {
  CONTAINER_PORT,
  HEALTH_PATH,
  LEGACY_HEALTH_PATH,
  RAY_DASHBOARD_PORT,
  RAY_PORT,
  SERVICE_PORT,
  TORCH_PORT,
  WEIGHTS_DIR,
} from './pod-contract.ts';
import {
  formatGi,
  huggingFaceTokenProblems,
  presetProblems,
  runtimeProblems,
  transformersResourceProblems,
} from './rules.ts';
import type {
  Catalog,
  GpuSku,
  ModelPreset,
  NodeEstimate,
  PartitionPlan,
  PlanContext,
  PresetInferencePlan,
  PresetInferenceWorkspace,
  ServicePort,
  WeightsSource,
} from './types.ts';

/** The Workspace Service's HTTP port, as every inference plan exposes it. */
export const HTTP_SERVICE_PORT: ServicePort = {
  name: 'http',
  port: SERVICE_PORT,
  targetPort: CONTAINER_PORT,
};

/** A step's result: what it decided (undefined when it could not), what is wrong, and why it decided so. */
interface Step<T> {
  value: T;
  problems: Problem[];
  notes: string[];
}

/** Pod 0 of the workload through the headless Service: the Ray leader / torch rendezvous point. */
export function leaderAddress(workspace: Workspace): string {
  return `${workspace.name}-0.${workspace.name}-headless.${workspace.namespace}.svc.cluster.local`;
}

export function presetImage(preset: ModelPreset): string | undefined {
  return preset.image ? `${preset.image.repository}:${preset.image.tag}` : undefined;
}

export function planPresetInference(
  workspace: PresetInferenceWorkspace,
  catalog: Catalog,
  context: PlanContext,
): Step<PresetInferencePlan | undefined> {
  const spec = workspace.inference.preset;
  const problems: Problem[] = [];
  const notes: string[] = [];
  const fail = { value: undefined, problems, notes };
  const runtime = workspace.runtime;
  const lookup = findPreset(catalog, spec.name, runtime);
  const known = catalog.presets.list().map((p) => p.name);
  problems.push(...presetProblems(spec, lookup, 'inference', catalog.huggingFaceCache.path, known));
  if (lookup.kind !== 'found') return fail;
  const preset = lookup.preset;
  problems.push(...runtimeProblems(workspace, preset, runtime, context.vllmConfig));
  const privateImage = spec.accessMode === 'private' ? spec.presetOptions?.image : undefined;
  const downloadsWeights = !privateImage && (runtime === 'vllm' || !preset.image) && !!preset.huggingFaceId;
  problems.push(...huggingFaceTokenProblems(workspace, preset, downloadsWeights));

  const cloud = context.cloud ?? 'azure';
  const bypass = BYPASS_RESOURCE_CHECKS_ANNOTATION in workspace.annotations;
  const { partition, problems: partitionProblems } = partitionFor(workspace, catalog.partitions);
  const fitProblems = partition ? migFitProblems(preset, partition, bypass) : [];
  problems.push(...partitionProblems, ...fitProblems);
  const fits = (sku: GpuSku) => fitsOnOneNode(preset, sku, 'inference', runtime, context);
  const placement = place(workspace, catalog, cloud, fits, preset.name);
  problems.push(...placement.problems);
  notes.push(...placement.notes);
  // A MIG slice is sized as one GPU with the slice's memory (Kaito GetMIGGPUConfig).
  const sku: GpuSku | undefined = partition?.mode === 'mig' ? { ...migSku(partition), cloud } : placement.sku;
  const gpusPerNode = gpusOf(workspace, preset, partition, sku);
  if (partition) notes.push(describePartition(partition, catalog.partitions));
  else if (!sku) {
    notes.push(
      `GPUs per node unknown: requesting ${gpusPerNode}; on your own nodes Kaito reads the GPUs from their nvidia.com/gpu.* labels`,
    );
  }
  const sizing = nodeCount(workspace, preset, sku, context, { partition, bypass, fitProblems });
  problems.push(...sizing.problems);
  notes.push(...sizing.notes);
  if (problems.length > 0) return fail;
  const { nodes, estimate } = sizing.value;

  const launcher = preset.runtimes.transformers?.launcher;
  const multiNode = preset.distributed && nodes > 1 && (runtime === 'vllm' || launcher === 'torchrun');
  const server = serverCommand(workspace, preset, {
    sku,
    gpusPerNode,
    nodes,
    multiNode,
    downloadsWeights,
    partition,
  });
  notes.push(...server.notes);
  const adapters = workspace.inference.adapters ?? [];
  if (adapters.length > 0) notes.push(`${adapters.length} adapter(s) served alongside the base model`);

  const image =
    privateImage ?? (runtime === 'transformers' ? presetImage(preset) : undefined) ?? catalog.baseImage;
  const weights: WeightsSource = downloadsWeights
    ? {
        kind: 'huggingface',
        repository: preset.huggingFaceId ?? '',
        ...(preset.revision ? { revision: preset.revision } : {}),
        downloadDir: WEIGHTS_DIR,
      }
    : { kind: 'image' };
  notes.push(
    weights.kind === 'huggingface'
      ? `weights downloaded from Hugging Face ${weights.repository}${weights.revision ? `@${weights.revision.slice(0, 12)}` : ''} at start-up`
      : `weights baked into the image ${image}`,
  );
  const secret = spec.presetOptions?.modelAccessSecret;
  const { parallelism } = server.value;
  const env: Record<string, string> = runtime === 'vllm' ? vllmEnv(preset, catalog) : {};
  const common = {
    workspace,
    workload: 'inference-preset' as const,
    preset,
    ...(placement.instanceType ? { instanceType: placement.instanceType } : {}),
    ...(sku ? { sku } : {}),
    skuSource: placement.skuSource,
    cloud,
    ...(partition ? { partition } : {}),
    // Kaito pins pods to the nodes its provisioner made for the Workspace; not on your own nodes.
    pinToWorkspaceNodes: placement.skuSource !== 'byo',
    nodes,
    gpusPerNode,
    runtime,
    parallelism: { tensor: parallelism.tensor, pipeline: parallelism.pipeline, data: parallelism.data },
    image,
    command: shell(server.value.command),
    env,
    cudaToolkit: runtime === 'vllm' && preset.cudaToolkit,
    weights,
    ...(secret && downloadsWeights ? { huggingFaceTokenSecret: secret } : {}),
    containerPort: CONTAINER_PORT,
    servicePorts: servicePorts(runtime, multiNode),
    // v0.3.2 preset images answer on /healthz; Kaito's current servers on /health.
    healthPath:
      runtime === 'transformers' && preset.image && !downloadsWeights ? LEGACY_HEALTH_PATH : HEALTH_PATH,
    diskGiB: preset.diskGiB,
    readinessTimeoutSeconds: preset.readinessTimeoutMinutes * 60,
    ...(estimate ? { estimate } : {}),
    notes,
  };
  const value: PresetInferencePlan = multiNode
    ? { ...common, multiNode: true, leaderAddress: leaderAddress(workspace) }
    : { ...common, multiNode: false };
  return { value, problems, notes };
}

/** GPUs per pod: one MIG slice, the accelerator count, the SKU's GPUs, or torchrun's share. */
function gpusOf(
  workspace: Workspace,
  preset: ModelPreset,
  partition: PartitionPlan | undefined,
  sku: GpuSku | undefined,
): number {
  if (partition?.mode === 'mig') return 1;
  if (partition?.mode === 'accelerator') return partition.count;
  if (sku) return sku.gpuCount;
  const worldSize = preset.runtimes.transformers?.worldSize;
  return preset.runtimes.transformers?.launcher === 'torchrun' && worldSize !== undefined
    ? Math.max(1, worldSize / workspace.resource.count)
    : 1;
}

/**
 * vLLM's environment as Kaito sets it: no FlashInfer sampler, DeepGEMM only for the architectures that
 * require it (their pods get a CUDA toolkit, see `cudaToolkit`).
 */
function vllmEnv(preset: ModelPreset, catalog: Catalog): Record<string, string> {
  const deepGemm = preset.architectures.some((a) =>
    catalog.huggingFaceRules.needsCudaToolkit.architectures.includes(a),
  );
  return { VLLM_USE_DEEP_GEMM: deepGemm ? '1' : '0', VLLM_USE_FLASHINFER_SAMPLER: '0' };
}

/**
 * Nodes the workload needs. vLLM: Kaito v0.12's estimate from the SKU's (or MIG slice's) GPU memory
 * (the spec's count is ignored, as Kaito ignores it); transformers: `resource.count`, checked against
 * the weights as v0.12 checks it.
 */
function nodeCount(
  workspace: Workspace,
  preset: ModelPreset,
  sku: GpuSku | undefined,
  context: PlanContext,
  checks: { partition: PartitionPlan | undefined; bypass: boolean; fitProblems: readonly Problem[] },
): Step<{ nodes: number; estimate?: NodeEstimate }> {
  const { partition, bypass } = checks;
  const problems: Problem[] = [];
  const notes: string[] = [];
  const count = workspace.resource.count;
  if (workspace.runtime === 'vllm') {
    if (!sku) {
      notes.push(`node count from resource.count (${count}): no GPU memory facts to estimate from`);
      return { value: { nodes: count }, problems, notes };
    }
    const estimated = vllmEstimate(preset, sku, context);
    const path = partition ? 'resource.partition' : 'resource.instanceType';
    if (!estimated.ok) {
      problems.push({ path, message: estimated.message });
      return { value: { nodes: count }, problems, notes };
    }
    const estimate = estimated.estimate;
    if (partition?.mode === 'mig' && estimate.nodes > 1) {
      // The weights alone already do not fit: Kaito's webhook says so and stops there.
      if (checks.fitProblems.length === 0) {
        problems.push({ path, message: migShortfall(estimate, preset, partition) });
      }
      return { value: { nodes: count }, problems, notes };
    }
    const nodes = estimate.nodes;
    notes.push(
      `vLLM node estimate (Kaito v0.12): ${formatGi(estimate.loadedWeightsGiB)} loaded weights, ${formatGi(estimate.availableForWeightsGiB)} free per GPU after overhead and KV cache for max-model-len ${estimate.maxModelLen} → ${estimate.minGpus} GPU(s) → ${nodes} node(s)`,
    );
    if (workspace.document.resource.count !== undefined && count !== nodes) {
      notes.push(`resource.count ${count} is ignored: Kaito estimates the node count for vLLM (${nodes})`);
    }
    if (nodes > 1 && !preset.distributed) {
      problems.push({
        path: 'resource.instanceType',
        message: `models with disabled support distributed inference cannot be distributed across more than 1 GPU node, please use a node with larger GPU memory, calculated nodes: ${nodes}`,
      });
    }
    return { value: { nodes, estimate }, problems, notes };
  }
  const launcher = preset.runtimes.transformers?.launcher;
  if (bypass) notes.push(`GPU memory check skipped: annotation ${BYPASS_RESOURCE_CHECKS_ANNOTATION} is set`);
  // A partitioned Workspace skips the whole-node checks (Kaito returns after validatePartition).
  if (sku && !partition) {
    problems.push(...transformersResourceProblems(preset, sku, count, bypass, launcher === 'torchrun'));
  }
  const worldSize = preset.runtimes.transformers?.worldSize ?? 1;
  if (launcher === 'torchrun' && preset.distributed && worldSize % count !== 0) {
    problems.push({
      path: 'resource.count',
      message: `${preset.name} runs ${worldSize} torchrun processes that must split evenly across nodes; use a count that divides ${worldSize}`,
    });
  }
  return { value: { nodes: count }, problems, notes };
}

/** The server's command line and the parallelism it runs with. */
function serverCommand(
  workspace: PresetInferenceWorkspace,
  preset: ModelPreset,
  sizing: {
    sku: GpuSku | undefined;
    gpusPerNode: number;
    nodes: number;
    multiNode: boolean;
    downloadsWeights: boolean;
    partition: PartitionPlan | undefined;
  },
): Omit<Step<{ command: string; parallelism: Parallelism }>, 'problems'> {
  const { sku, gpusPerNode, nodes, multiNode, downloadsWeights, partition } = sizing;
  const single: Parallelism = { tensor: 1, pipeline: 1, data: 1, disableKvCacheOffload: false };
  if (workspace.runtime === 'transformers') {
    const command =
      preset.runtimes.transformers?.launcher === 'torchrun'
        ? torchrunInferenceCommand(preset, {
            distributed: preset.distributed,
            nodes,
            leaderAddress: leaderAddress(workspace),
          })
        : accelerateInferenceCommand(preset, downloadsWeights);
    return { value: { command, parallelism: single }, notes: [] };
  }
  const parallelism = vllmParallelism({
    weightsGiB: preset.weightsGiB,
    gpusPerNode,
    nodeGpuMemoryGiB: sku?.gpuMemoryGiB,
    nodes,
    multiNode,
  });
  const performanceMode = workspace.annotations[PERFORMANCE_MODE_ANNOTATION];
  const command = vllmCommand({
    preset,
    ...(sku && !partition ? { gpuModel: sku.gpuModel } : {}),
    kvCacheOffload: preset.kvCacheOffload && partition?.mode !== 'mig',
    parallelism,
    downloadWeights: downloadsWeights,
    adapters: (workspace.inference.adapters ?? []).length > 0,
    configFile: !!workspace.inference.config,
    ...(performanceMode ? { performanceMode } : {}),
    ...(multiNode ? { multiNode: { nodes, leaderAddress: leaderAddress(workspace) } } : {}),
  });
  const note =
    parallelism.data > 1
      ? `data parallel x${parallelism.data}: the weights take under half of one GPU, so each GPU serves its own replica`
      : `tensor parallel x${parallelism.tensor}${multiNode ? `, pipeline parallel x${parallelism.pipeline} across nodes (Ray)` : ''}`;
  return { value: { command, parallelism }, notes: [note] };
}

/** 80 → 5000; the transformers runtime adds torch's port, multi-node vLLM Ray's and its dashboard's. */
function servicePorts(runtime: Runtime, multiNode: boolean): ServicePort[] {
  const ports: ServicePort[] = [HTTP_SERVICE_PORT];
  if (runtime === 'transformers') ports.push({ name: 'torch', port: TORCH_PORT, targetPort: TORCH_PORT });
  if (runtime === 'vllm' && multiNode) {
    ports.push(
      { name: 'ray', port: RAY_PORT, targetPort: RAY_PORT },
      { name: 'dashboard', port: RAY_DASHBOARD_PORT, targetPort: RAY_DASHBOARD_PORT },
    );
  }
  return ports;
}
