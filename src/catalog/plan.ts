/**
 * Sizing: `plan(workspace, catalog, context)` turns one normalized Workspace into a WorkspacePlan (SKU,
 * nodes, GPUs, parallelism, image, command), applying Kaito's catalog rules on the way and collecting
 * every problem into one SpecError. Pure: everything it needs is passed in.
 *
 * Node count follows Kaito per runtime: vLLM uses the v0.12 NodeEstimator (the spec's `count` is
 * ignored, as Kaito ignores it), transformers uses `resource.count` with v0.3.2's GPU checks.
 */
import type { Problem } from '../errors.ts';
import { SpecError } from '../errors.ts';
import type { PresetSpec, Workspace } from '../api/types.ts';
import {
  accelerateInferenceCommand,
  shell,
  torchrunInferenceCommand,
  tuningCommand,
  vllmCommand,
  vllmParallelism,
  WEIGHTS_DIR,
  type Parallelism,
} from './command.ts';
import { fitsOnOneNode, place, vllmEstimate } from './placement.ts';
import {
  BYPASS_RESOURCE_CHECKS,
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
  ServicePort,
  WeightsSource,
  WorkspacePlan,
} from './types.ts';

export const PERFORMANCE_MODE_ANNOTATION = 'kaito.sh/performance-mode';
export const CONTAINER_PORT = 5000;

const HTTP_PORT: ServicePort = { name: 'http', port: 80, targetPort: CONTAINER_PORT };

/** Pod 0 of the workload through the headless Service: the Ray leader / torch rendezvous point. */
export function leaderAddress(workspace: Workspace): string {
  return `${workspace.name}-0.${workspace.name}-headless.${workspace.namespace}.svc.cluster.local`;
}

function presetImage(preset: ModelPreset): string | undefined {
  return preset.image ? `${preset.image.repository}:${preset.image.tag}` : undefined;
}

/** The plan for one Workspace; throws a SpecError listing every problem found. */
export function plan(workspace: Workspace, catalog: Catalog, context: PlanContext = {}): WorkspacePlan {
  const problems: Problem[] = [];
  const notes: string[] = [];
  const result = workspace.tuning
    ? planTuning(workspace, catalog, context, problems, notes)
    : workspace.inference?.preset
      ? planPresetInference(workspace, workspace.inference.preset, catalog, context, problems, notes)
      : workspace.inference?.template
        ? planTemplate(workspace, catalog, context, problems, notes)
        : undefined;
  if (!result && problems.length === 0) {
    problems.push({ path: '', message: 'Either Inference or Tuning must be specified, not neither' });
  }
  if (problems.length > 0 || !result) throw new SpecError(problems, { file: workspace.source.file });
  return result;
}

function planPresetInference(
  workspace: Workspace,
  spec: PresetSpec,
  catalog: Catalog,
  context: PlanContext,
  problems: Problem[],
  notes: string[],
): WorkspacePlan | undefined {
  const preset = catalog.presets.get(spec.name);
  problems.push(...presetProblems(spec, preset, 'inference'));
  if (!preset) return undefined;
  const runtime = workspace.runtime;
  problems.push(...runtimeProblems(workspace, preset, runtime, context.vllmConfig));
  const privateImage = spec.accessMode === 'private' ? spec.presetOptions?.image : undefined;
  const downloadsWeights = !privateImage && (runtime === 'vllm' || !preset.image) && !!preset.huggingFaceId;
  problems.push(...huggingFaceTokenProblems(workspace, preset, downloadsWeights));

  const cloud = context.cloud ?? 'azure';
  const fits = (sku: GpuSku) => fitsOnOneNode(preset, sku, 'inference', runtime, context);
  const placement = place(workspace, catalog, cloud, fits, preset.name, problems, notes);
  const { sku } = placement;
  const bypass = BYPASS_RESOURCE_CHECKS in workspace.annotations;
  const count = workspace.resource.count;
  const gpusPerNode = sku?.gpuCount ?? preset.minGpuCount;
  if (!sku)
    notes.push(
      `GPUs per node unknown: requesting ${gpusPerNode} (the preset's minimum, as Kaito v0.3.2 did)`,
    );

  let nodes = count;
  let estimate: NodeEstimate | undefined;
  const launcher = preset.runtimes.transformers?.launcher;
  if (runtime === 'vllm') {
    if (sku) {
      const estimated = vllmEstimate(preset, sku, context);
      if (!estimated.ok) {
        problems.push({ path: 'resource.instanceType', message: estimated.message });
      } else {
        estimate = estimated.estimate;
        nodes = estimate.nodes;
        notes.push(
          `vLLM node estimate (Kaito v0.12): ${formatGi(estimate.loadedWeightsGiB)} loaded weights, ${formatGi(estimate.availableForWeightsGiB)} free per GPU after overhead and KV cache for max-model-len ${estimate.maxModelLen} → ${estimate.minGpus} GPU(s) → ${nodes} node(s)`,
        );
        if (workspace.document.resource.count !== undefined && count !== nodes) {
          notes.push(
            `resource.count ${count} is ignored: Kaito estimates the node count for vLLM (${nodes})`,
          );
        }
        if (nodes > 1 && !preset.distributed) {
          problems.push({
            path: 'resource.instanceType',
            message: `models with disabled support distributed inference cannot be distributed across more than 1 GPU node, please use a node with larger GPU memory, calculated nodes: ${nodes}`,
          });
        }
      }
    } else {
      notes.push(`node count from resource.count (${count}): no GPU memory facts to estimate from`);
    }
  } else {
    if (bypass) notes.push(`GPU memory checks skipped: annotation ${BYPASS_RESOURCE_CHECKS} is set`);
    else if (sku) {
      for (const message of transformersResourceMessages(preset, sku, count)) {
        problems.push({ path: 'resource.instanceType', message });
      }
    }
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
  }
  if (problems.length > 0) return undefined;

  const multiNode = preset.distributed && nodes > 1 && (runtime === 'vllm' || launcher === 'torchrun');
  const leader = multiNode ? leaderAddress(workspace) : undefined;
  const adapters = workspace.inference?.adapters ?? [];
  let parallelism: Parallelism = { tensor: 1, pipeline: 1, data: 1, disableKvCacheOffload: false };
  let command: string;
  if (runtime === 'vllm') {
    parallelism = vllmParallelism({
      weightsGiB: preset.weightsGiB,
      gpusPerNode,
      nodeGpuMemoryGiB: sku?.gpuMemoryGiB,
      nodes,
      multiNode,
    });
    const performanceMode = workspace.annotations[PERFORMANCE_MODE_ANNOTATION];
    command = vllmCommand({
      preset,
      ...(sku ? { gpuModel: sku.gpuModel } : {}),
      parallelism,
      downloadWeights: downloadsWeights,
      adapters: adapters.length > 0,
      configFile: !!workspace.inference?.config,
      ...(performanceMode ? { performanceMode } : {}),
      ...(leader ? { multiNode: { nodes, leaderAddress: leader } } : {}),
    });
    notes.push(
      parallelism.data > 1
        ? `data parallel x${parallelism.data}: the weights take under half of one GPU, so each GPU serves its own replica`
        : `tensor parallel x${parallelism.tensor}${multiNode ? `, pipeline parallel x${parallelism.pipeline} across nodes (Ray)` : ''}`,
    );
  } else if (launcher === 'torchrun') {
    command = torchrunInferenceCommand(preset, {
      distributed: preset.distributed,
      nodes,
      leaderAddress: leaderAddress(workspace),
    });
  } else {
    command = accelerateInferenceCommand(preset, downloadsWeights);
  }
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
  const servicePorts: ServicePort[] = [HTTP_PORT];
  if (runtime === 'transformers') servicePorts.push({ name: 'torch', port: 29500, targetPort: 29500 });
  if (runtime === 'vllm' && multiNode) {
    servicePorts.push(
      { name: 'ray', port: 6379, targetPort: 6379 },
      { name: 'dashboard', port: 8265, targetPort: 8265 },
    );
  }
  return {
    workspace,
    workload: 'inference-preset',
    preset,
    ...(placement.instanceType ? { instanceType: placement.instanceType } : {}),
    ...(sku ? { sku } : {}),
    skuSource: placement.skuSource,
    nodes,
    gpusPerNode,
    runtime,
    parallelism: { tensor: parallelism.tensor, pipeline: parallelism.pipeline, data: parallelism.data },
    multiNode,
    image,
    command: shell(command),
    env: runtime === 'vllm' ? { VLLM_USE_DEEP_GEMM: '0', VLLM_USE_FLASHINFER_SAMPLER: '0' } : {},
    weights,
    ...(secret && downloadsWeights ? { huggingFaceTokenSecret: secret } : {}),
    containerPort: CONTAINER_PORT,
    servicePorts,
    // v0.3.2 preset images answer on /healthz; Kaito's current servers on /health.
    healthPath: runtime === 'transformers' && preset.image && !downloadsWeights ? '/healthz' : '/health',
    ...(leader ? { leaderAddress: leader } : {}),
    diskGiB: preset.diskGiB,
    readinessTimeoutSeconds: preset.readinessTimeoutMinutes * 60,
    ...(estimate ? { estimate } : {}),
    notes,
  };
}

function planTuning(
  workspace: Workspace,
  catalog: Catalog,
  context: PlanContext,
  problems: Problem[],
  notes: string[],
): WorkspacePlan | undefined {
  const spec = workspace.tuning?.preset;
  if (!spec) return undefined;
  const preset = catalog.presets.get(spec.name);
  problems.push(...presetProblems(spec, preset, 'tuning'));
  if (workspace.resource.count > 1) {
    problems.push({
      path: 'resource.count',
      message:
        'Tuning does not currently support multinode configurations. Please set the node count to 1. Future support with DeepSpeed will allow this.',
    });
  }
  if (!preset || problems.length > 0) return undefined;
  const cloud = context.cloud ?? 'azure';
  const fits = (sku: GpuSku) => fitsOnOneNode(preset, sku, 'tuning', 'transformers');
  const placement = place(workspace, catalog, cloud, fits, `${preset.name} tuning`, problems, notes);
  if (problems.length > 0) return undefined;
  const { sku } = placement;
  // Kaito tunes with one process per GPU of the SKU, and one process when it does not know the SKU.
  const gpus = sku?.gpuCount ?? 1;
  if (!sku) notes.push('GPUs per node unknown: tuning with 1 process (Kaito default)');
  const guidance = preset.tuning.gpuMemoryGiB;
  if (sku && guidance !== undefined && sku.gpuMemoryGiB < guidance) {
    notes.push(
      `warning: Kaito lists ${formatGi(guidance)} of GPU memory for tuning ${preset.name}, ${sku.name} has ${formatGi(sku.gpuMemoryGiB)}; ${workspace.tuning?.method ?? ''} may run out of memory (Kaito does not check this)`,
    );
  }
  const image =
    (spec.accessMode === 'private' ? spec.presetOptions?.image : undefined) ?? presetImage(preset) ?? '';
  notes.push(`${workspace.tuning?.method ?? ''} tuning on 1 node, ${gpus} GPU(s), image ${image}`);
  const env: Record<string, string> = { PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True' };
  // Kaito sets LoRA target modules for the phi-3 family only (its tuning script's defaults miss them).
  if (preset.name.startsWith('phi-3')) {
    env['DEFAULT_TARGET_MODULES'] = 'k_proj,q_proj,v_proj,o_proj,gate_proj,down_proj,up_proj';
  }
  return {
    workspace,
    workload: 'tuning',
    preset,
    ...(placement.instanceType ? { instanceType: placement.instanceType } : {}),
    ...(sku ? { sku } : {}),
    skuSource: placement.skuSource,
    nodes: 1,
    gpusPerNode: gpus,
    runtime: 'transformers',
    parallelism: { tensor: 1, pipeline: 1, data: gpus },
    multiNode: false,
    image,
    command: shell(tuningCommand(gpus)),
    env,
    weights: { kind: 'image' },
    containerPort: CONTAINER_PORT,
    servicePorts: [],
    diskGiB: preset.diskGiB,
    readinessTimeoutSeconds: preset.readinessTimeoutMinutes * 60,
    notes,
  };
}

function planTemplate(
  workspace: Workspace,
  catalog: Catalog,
  context: PlanContext,
  problems: Problem[],
  notes: string[],
): WorkspacePlan | undefined {
  const placement = place(
    workspace,
    catalog,
    context.cloud ?? 'azure',
    undefined,
    'the template',
    problems,
    notes,
  );
  if (problems.length > 0) return undefined;
  const spec = workspace.inference?.template?.['spec'];
  const containers =
    typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>)['containers'] : undefined;
  const first: unknown = Array.isArray(containers) ? containers[0] : undefined;
  const image =
    typeof first === 'object' &&
    first !== null &&
    typeof (first as Record<string, unknown>)['image'] === 'string'
      ? ((first as Record<string, unknown>)['image'] as string)
      : '';
  notes.push(
    `pod template used as written: ${workspace.resource.count} node(s), one pod each; it sets its own resources`,
  );
  return {
    workspace,
    workload: 'inference-template',
    ...(placement.instanceType ? { instanceType: placement.instanceType } : {}),
    ...(placement.sku ? { sku: placement.sku } : {}),
    skuSource: placement.skuSource,
    nodes: workspace.resource.count,
    gpusPerNode: 0,
    runtime: workspace.runtime,
    parallelism: { tensor: 1, pipeline: 1, data: 1 },
    multiNode: false,
    image,
    command: [],
    env: {},
    weights: { kind: 'template' },
    containerPort: CONTAINER_PORT,
    servicePorts: [HTTP_PORT],
    diskGiB: 0,
    readinessTimeoutSeconds: 30 * 60,
    notes,
  };
}
