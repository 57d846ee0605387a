/**
 * Sizing: `plan(workspace, catalog, context)` turns one normalized Workspace into a WorkspacePlan (SKU,
 * nodes, GPUs, parallelism, image, command), applying Kaito's catalog rules on the way and collecting
 * every problem into one SpecError. Pure: everything it needs is passed in. Preset inference, the
 * largest case, is in `plan-inference.ts`; tuning and templates are here.
 */
import type { Workspace } from '../api/index.ts';
import type { Problem } from '../errors.ts';
import { SpecError } from '../errors.ts';
import { shell, tuningCommand } from './command.ts';
import { findPreset } from './models.ts';
import { partitionFor } from './partition.ts';
import { fitsOnOneNode, place } from './placement.ts';
import { HTTP_SERVICE_PORT, planPresetInference, presetImage } from './plan-inference.ts';
import { CONTAINER_PORT } from './pod-contract.ts';
import { formatGi, presetProblems } from './rules.ts';
import { trainingConfigFor } from './training-config.ts';
import type {
  Catalog,
  GpuSku,
  PlanContext,
  PresetInferenceWorkspace,
  TemplatePlan,
  TemplateWorkspace,
  TuningPlan,
  TuningWorkspace,
  WorkspacePlan,
} from './types.ts';

interface Planned<T> {
  value: T | undefined;
  problems: Problem[];
  notes: string[];
}

/** The plan for one Workspace; throws a SpecError listing every problem found. */
export function plan(workspace: Workspace, catalog: Catalog, context: PlanContext = {}): WorkspacePlan {
  const planned: Planned<WorkspacePlan> | undefined = isTuning(workspace)
    ? planTuning(workspace, catalog, context)
    : isPresetInference(workspace)
      ? planPresetInference(workspace, catalog, context)
      : isTemplate(workspace)
        ? planTemplate(workspace, catalog, context)
        : undefined;
  const value = planned?.value;
  const problems = planned?.problems ?? [];
  if (!value && problems.length === 0) {
    problems.push({ path: '', message: 'Either Inference or Tuning must be specified, not neither' });
  }
  if (problems.length > 0 || !value) throw new SpecError(problems, { file: workspace.source.file });
  // Your own nodes carry no per-Workspace labels (only the agent's provisioners add them).
  return context.nodes === 'byo' ? { ...value, pinToWorkspaceNodes: false } : value;
}

function isTuning(workspace: Workspace): workspace is TuningWorkspace {
  return workspace.tuning !== undefined;
}

function isPresetInference(workspace: Workspace): workspace is PresetInferenceWorkspace {
  return workspace.inference?.preset !== undefined;
}

function isTemplate(workspace: Workspace): workspace is TemplateWorkspace {
  return workspace.inference?.template !== undefined;
}

function planTuning(workspace: TuningWorkspace, catalog: Catalog, context: PlanContext): Planned<TuningPlan> {
  const spec = workspace.tuning.preset;
  const problems: Problem[] = [];
  const notes: string[] = [];
  const fail = { value: undefined, problems, notes };
  const lookup = findPreset(catalog, spec.name, 'tuning');
  const tunable = catalog.presets
    .list()
    .filter((p) => p.tuning.supported)
    .map((p) => p.name);
  problems.push(...presetProblems(spec, lookup, 'tuning', catalog.huggingFaceCache.path, tunable));
  problems.push(...partitionFor(workspace, catalog.partitions).problems);
  if (workspace.resource.count > 1) {
    problems.push({
      path: 'resource.count',
      message:
        'Tuning does not currently support multinode configurations. Please set the node count to 1. Future support with DeepSpeed will allow this.',
    });
  }
  const training = trainingConfigFor(workspace, catalog.tuningDefaults, context.trainingOutput);
  if ('problem' in training) problems.push(training.problem);
  const preset = lookup.kind === 'found' ? lookup.preset : undefined;
  if (!preset || problems.length > 0 || 'problem' in training) return fail;
  const cloud = context.cloud ?? 'azure';
  const fits = (sku: GpuSku) => fitsOnOneNode(preset, sku, 'tuning', 'transformers');
  const placement = place(workspace, catalog, cloud, fits, `${preset.name} tuning`);
  problems.push(...placement.problems);
  notes.push(...placement.notes);
  if (problems.length > 0) return fail;
  const { sku } = placement;
  // Kaito tunes with one process per GPU of the SKU, and one process when it does not know the SKU.
  const gpus = sku?.gpuCount ?? 1;
  if (!sku) notes.push('GPUs per node unknown: tuning with 1 process (Kaito default)');
  const guidance = preset.tuning.gpuMemoryGiB;
  const method = workspace.tuning.method ?? '';
  if (sku && guidance !== undefined && sku.gpuMemoryGiB < guidance) {
    notes.push(
      `warning: Kaito lists ${formatGi(guidance)} of GPU memory for tuning ${preset.name}, ${sku.name} has ${formatGi(sku.gpuMemoryGiB)}; ${method} may run out of memory (Kaito does not check this)`,
    );
  }
  const image =
    (spec.accessMode === 'private' ? spec.presetOptions?.image : undefined) ?? presetImage(preset) ?? '';
  notes.push(`${method} tuning on 1 node, ${gpus} GPU(s), image ${image}`);
  const defaults = training.config.defaults;
  if (defaults !== undefined) {
    notes.push(
      `no tuning.config: Kaito's default ${method} parameters (${defaults.kaitoConfigMap}) as ConfigMap ${training.config.configMap}, results in ${training.resultsDir}`,
    );
  }
  const env: Record<string, string> = { PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True' };
  // Kaito sets LoRA target modules for the phi-3 family only (its tuning script's defaults miss them).
  if (preset.name.startsWith('phi-3')) {
    env['DEFAULT_TARGET_MODULES'] = 'k_proj,q_proj,v_proj,o_proj,gate_proj,down_proj,up_proj';
  }
  const value: TuningPlan = {
    workspace,
    workload: 'tuning',
    preset,
    ...(placement.instanceType ? { instanceType: placement.instanceType } : {}),
    ...(sku ? { sku } : {}),
    skuSource: placement.skuSource,
    cloud,
    // Kaito pins inference pods to their Workspace's nodes, not tuning Jobs (preset_tuning.go).
    pinToWorkspaceNodes: false,
    cudaToolkit: false,
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
    resultsDir: training.resultsDir,
    trainingConfig: training.config,
    notes,
  };
  return { value, problems, notes };
}

function planTemplate(
  workspace: TemplateWorkspace,
  catalog: Catalog,
  context: PlanContext,
): Planned<TemplatePlan> {
  const cloud = context.cloud ?? 'azure';
  const { partition, problems: partitionProblems } = partitionFor(workspace, catalog.partitions);
  const placement = place(workspace, catalog, cloud, undefined, 'the template');
  const { notes } = placement;
  const problems = [...partitionProblems, ...placement.problems];
  if (problems.length > 0) return { value: undefined, problems, notes };
  notes.push(
    `pod template used as written: ${workspace.resource.count} node(s), one pod each; it sets its own resources`,
  );
  const value: TemplatePlan = {
    workspace,
    workload: 'inference-template',
    ...(placement.instanceType ? { instanceType: placement.instanceType } : {}),
    ...(placement.sku ? { sku: placement.sku } : {}),
    skuSource: placement.skuSource,
    cloud,
    ...(partition ? { partition } : {}),
    pinToWorkspaceNodes: placement.skuSource !== 'byo',
    cudaToolkit: false,
    nodes: workspace.resource.count,
    gpusPerNode: 0,
    runtime: workspace.runtime,
    parallelism: { tensor: 1, pipeline: 1, data: 1 },
    multiNode: false,
    image: firstContainerImage(workspace.inference.template),
    command: [],
    env: {},
    weights: { kind: 'template' },
    containerPort: CONTAINER_PORT,
    servicePorts: [HTTP_SERVICE_PORT],
    diskGiB: 0,
    readinessTimeoutSeconds: 30 * 60,
    notes,
  };
  return { value, problems, notes };
}

/** The image of the pod template's first container; empty when it names none. */
function firstContainerImage(template: Record<string, unknown>): string {
  const spec = template['spec'];
  const containers =
    typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>)['containers'] : undefined;
  const first: unknown = Array.isArray(containers) ? containers[0] : undefined;
  return typeof first === 'object' &&
    first !== null &&
    typeof (first as Record<string, unknown>)['image'] === 'string'
    ? ((first as Record<string, unknown>)['image'] as string)
    : '';
}
