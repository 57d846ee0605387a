/**
 * Kaito's webhook rules that need preset or SKU data (v0.12 `api/v1beta1/workspace_validation.go`,
 * `pkg/model/interface.go` `Validate`, v0.3.2 `api/v1alpha1/workspace_validation.go`), as small pure
 * functions returning problems with field paths. Messages are Kaito's, verbatim, where Kaito has one.
 */
import type { Problem } from '../errors.ts';
import type { PresetSpec, Runtime, Workspace } from '../api/index.ts';
import { configuredMaxModelLen } from './estimator.ts';
import type { PresetLookup } from './models.ts';
import { closeMatches } from './registry.ts';
import type { GpuSku, ModelPreset } from './types.ts';

/** `16Gi`, `7.12Gi`: GiB the way Kaito prints quantities. */
export function formatGi(gib: number): string {
  return `${Number(gib.toFixed(2))}Gi`;
}

/** Unknown, deprecated, not tunable, private access and Hugging Face token rules for one preset spec. */
export function presetProblems(
  spec: PresetSpec,
  lookup: PresetLookup,
  kind: 'inference' | 'tuning',
  cacheFile: string,
  /** Preset names the Workspace could have meant, for "did you mean" on an unknown one. */
  known: readonly string[] = [],
): Problem[] {
  const at = `${kind}.preset`;
  if (lookup.kind === 'not-cached') {
    return [
      {
        path: `${at}.name`,
        message: `${lookup.id} is not in the model catalog, and ${cacheFile} does not size it: run kaito-gitops plan on these specs where the Hugging Face Hub is reachable (HF_TOKEN for a gated model) and commit ${cacheFile}`,
      },
    ];
  }
  const preset = lookup.kind === 'found' ? lookup.preset : undefined;
  if (!preset || (kind === 'tuning' && !preset.tuning.supported)) {
    // Kaito's message, then the closest names (a typo such as phi-3-mini-4k-instuct).
    const close = closeMatches(spec.name, known);
    const hint = close.length > 0 ? `; did you mean ${close.join(', ')}?` : '';
    return [{ path: `${at}.name`, message: `Unsupported ${kind} preset name ${spec.name}${hint}` }];
  }
  const problems: Problem[] = [];
  if (preset.deprecated) {
    problems.push({
      path: `${at}.name`,
      message: `Model ${preset.name} is deprecated and no longer supported`,
    });
  }
  const accessMode = spec.accessMode ?? 'public';
  if (preset.accessMode === 'private' && accessMode !== 'private') {
    problems.push({
      path: `${at}.accessMode`,
      message: 'This preset only supports private AccessMode, AccessMode must be private to continue',
    });
  }
  if (accessMode === 'private' && !spec.presetOptions?.image) {
    problems.push({
      path: `${at}.presetOptions.image`,
      message: 'When AccessMode is private, an image must be provided in PresetOptions',
    });
  }
  return problems;
}

/**
 * v1beta1 `presetOptions.modelAccessSecret`: gated models downloaded from Hugging Face need it; a
 * preset whose weights come from an image must not name one (it would never be used).
 */
export function huggingFaceTokenProblems(
  workspace: Workspace,
  preset: ModelPreset,
  downloadsWeights: boolean,
): Problem[] {
  if (workspace.apiVersion !== 'kaito.sh/v1beta1') return [];
  const secret = workspace.inference?.preset?.presetOptions?.modelAccessSecret;
  const path = 'inference.preset.presetOptions.modelAccessSecret';
  if (downloadsWeights && preset.requiresHuggingFaceToken && !secret) {
    return [
      {
        path,
        message:
          'This preset requires authentication and needs a modelAccessSecret with HF_TOKEN key under presetOptions to download the model',
      },
    ];
  }
  if (!downloadsWeights && secret) {
    return [
      {
        path,
        message: 'This preset does not require a modelAccessSecret with HF_TOKEN key under presetOptions',
      },
    ];
  }
  return [];
}

/** An adapter strength other than 1: vLLM applies LoRA adapters at full strength only. */
export function usesAdapterStrength(strength: string | undefined): boolean {
  return strength !== undefined && Number(strength) !== 1;
}

/**
 * Runtime support (Kaito's `PresetParam.Validate`, reported as "Runtime validation: ..."), LoRA and
 * adapter strength under vLLM, and the ConfigMap's max-model-len against the context window.
 */
export function runtimeProblems(
  workspace: Workspace,
  preset: ModelPreset,
  runtime: Runtime,
  vllmConfig: Readonly<Record<string, unknown>> | undefined,
): Problem[] {
  const problems: Problem[] = [];
  const adapters = workspace.inference?.adapters ?? [];
  if (runtime === 'transformers' && !preset.runtimes.transformers) {
    problems.push({
      path: 'inference.preset.name',
      message: `Runtime validation: model ${preset.servedModelName} does not support inference with Huggingface Transformers runtime`,
    });
  }
  if (runtime === 'vllm') {
    if (!preset.runtimes.vllm) {
      problems.push({
        path: 'inference.preset.name',
        message: `Runtime validation: model ${preset.name} does not support inference with vLLM runtime (set annotation kaito.sh/runtime: transformers)`,
      });
      return problems;
    }
    if (adapters.length > 0 && !preset.runtimes.vllm.loraAdapters) {
      problems.push({
        path: 'inference.adapters',
        message: `Runtime validation: vLLM does not support LoRA adapters for this model: ${preset.name}`,
      });
    }
    // Kaito (kaito#998) refuses any strength under vLLM, even "1.0" as in its own adapter example;
    // vLLM applies adapters at full strength, so only a strength other than 1 is refused here.
    adapters.forEach((adapter, index) => {
      if (usesAdapterStrength(adapter.strength)) {
        problems.push({
          path: `inference.adapters[${index}].strength`,
          message: `Runtime validation: vLLM does not support adapter strength ("${adapter.strength}"; remove it or use "1.0")`,
        });
      }
    });
    const maxModelLen = configuredMaxModelLen(vllmConfig);
    if (maxModelLen !== undefined && maxModelLen > preset.contextTokens) {
      problems.push({
        path: 'inference.config',
        message: `max-model-len ${maxModelLen} exceeds model's maximum supported context window ${preset.contextTokens} (ModelTokenLimit)`,
      });
    }
  }
  return problems;
}

/**
 * Kaito v0.12's resource rules for the transformers runtime on a known SKU
 * (`validateCreateWithInference`): the weights (`TotalSafeTensorFileSize`, the catalog's modelFileSize)
 * must fit the total GPU memory of `nodes` nodes, unless kaito.sh/bypass-resource-checks is set; and a
 * model that needs more than one node cannot run with transformers, bypass or not.
 */
export function transformersResourceProblems(
  preset: ModelPreset,
  sku: GpuSku,
  nodes: number,
  bypass: boolean,
  /** torchrun (llama-2) spreads one model over the nodes, so only the total counts. */
  spreadsOverNodes = false,
): Problem[] {
  const problems: Problem[] = [];
  const total = nodes * sku.gpuMemoryGiB;
  if (total < preset.weightsGiB && !bypass) {
    problems.push({
      path: 'resource.instanceType',
      message: `Insufficient total GPU memory: Instance type ${sku.name} has a total of ${formatGi(total)}, but preset ${preset.name} requires at least ${formatGi(preset.weightsGiB)}`,
    });
  }
  if (!spreadsOverNodes && preset.distributed && preset.weightsGiB > sku.gpuMemoryGiB) {
    problems.push({
      path: 'resource',
      message: 'Multi-node distributed inference is not supported with Huggingface Transformers runtime',
    });
  }
  return problems;
}
