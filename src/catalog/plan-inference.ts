/**
 * Sizing a preset inference Workspace, in the steps Kaito takes: check the preset and runtime, place it
 * (SKU), count the nodes (vLLM: the v0.12 NodeEstimator, ignoring `resource.count`; transformers:
 * `resource.count` with v0.3.2's GPU checks), build the server command (parallelism, multi-node), then
 * the image, weights and Service ports. Each step returns its problems and notes; nothing is passed in
 * to be filled. Pure.
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
  transformersResourceMessages,
} from './rules.ts';
import type {
  Catalog,
  GpuSku,
  ModelPreset,
  NodeEstimate,
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
  const preset = catalog.presets.get(spec.name);
  problems.push(...presetProblems(spec, preset, 'inference'));
  if (!preset) return fail;
  const runtime = workspace.runtime;
  problems.push(...runtimeProblems(workspace, preset, runtime, context.vllmConfig));
  const privateImage = spec.accessMode === 'private' ? spec.presetOptions?.image : undefined;
  const downloadsWeights = !privateImage && (runtime === 'vllm' || !preset.image) && !!preset.huggingFaceId;
  problems.push(...huggingFaceTokenProblems(workspace, preset, downloadsWeights));

  const fits = (sku: GpuSku) => fitsOnOneNode(preset, sku, 'inference', runtime, context);
  const placement = place(workspace, catalog, context.cloud ?? 'azure', fits, preset.name);
  problems.push(...placement.problems);
  notes.push(...placement.notes);
  const { sku } = placement;
  const gpusPerNode = sku?.gpuCount ?? preset.minGpuCount;
  if (!sku)
    notes.push(
      `GPUs per node unknown: requesting ${gpusPerNode} (the preset's minimum, as Kaito v0.3.2 did)`,
    );
  const sizing = nodeCount(workspace, preset, sku, context);
  problems.push(...sizing.problems);
  notes.push(...sizing.notes);
  if (problems.length > 0) return fail;
  const { nodes, estimate } = sizing.value;

  const launcher = preset.runtimes.transformers?.launcher;
  const multiNode = preset.distributed && nodes > 1 && (runtime === 'vllm' || launcher === 'torchrun');
  const server = serverCommand(workspace, preset, { sku, gpusPerNode, nodes, multiNode, downloadsWeights });
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
  const env: Record<string, string> =
    runtime === 'vllm' ? { VLLM_USE_DEEP_GEMM: '0', VLLM_USE_FLASHINFER_SAMPLER: '0' } : {};
  const common = {
    workspace,
    workload: 'inference-preset' as const,
    preset,
    ...(placement.instanceType ? { instanceType: placement.instanceType } : {}),
    ...(sku ? { sku } : {}),
    skuSource: placement.skuSource,
    nodes,
    gpusPerNode,
    runtime,
    parallelism: { tensor: parallelism.tensor, pipeline: parallelism.pipeline, data: parallelism.data },
    image,
    command: shell(server.value.command),
    env,
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

/**
 * Nodes the workload needs. vLLM: Kaito v0.12's estimate from the SKU's GPU memory (the spec's count is
 * ignored, as Kaito ignores it); transformers: `resource.count`, checked as v0.3.2 checked it.
 */
function nodeCount(
  workspace: Workspace,
  preset: ModelPreset,
  sku: GpuSku | undefined,
  context: PlanContext,
): Step<{ nodes: number; estimate?: NodeEstimate }> {
  const problems: Problem[] = [];
  const notes: string[] = [];
  const count = workspace.resource.count;
  if (workspace.runtime === 'vllm') {
    if (!sku) {
      notes.push(`node count from resource.count (${count}): no GPU memory facts to estimate from`);
      return { value: { nodes: count }, problems, notes };
    }
    const estimated = vllmEstimate(preset, sku, context);
    if (!estimated.ok) {
      problems.push({ path: 'resource.instanceType', message: estimated.message });
      return { value: { nodes: count }, problems, notes };
    }
    const estimate = estimated.estimate;
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
  if (BYPASS_RESOURCE_CHECKS_ANNOTATION in workspace.annotations) {
    notes.push(`GPU memory checks skipped: annotation ${BYPASS_RESOURCE_CHECKS_ANNOTATION} is set`);
  } else if (sku) {
    for (const message of transformersResourceMessages(preset, sku, count)) {
      problems.push({ path: 'resource.instanceType', message });
    }
  }
  const launcher = preset.runtimes.transformers?.launcher;
  const worldSize = preset.runtimes.transformers?.worldSize ?? 1;
  if (count > 1 && !(launcher === 'torchrun' && preset.distributed)) {
    problems.push({
      path: 'resource.count',
      message: 'Multi-node distributed inference is not supported with Huggingface Transformers runtime',
    });
  } else if (launcher === 'torchrun' && preset.distributed && worldSize % count !== 0) {
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
  },
): Omit<Step<{ command: string; parallelism: Parallelism }>, 'problems'> {
  const { sku, gpusPerNode, nodes, multiNode, downloadsWeights } = sizing;
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
    ...(sku ? { gpuModel: sku.gpuModel } : {}),
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
