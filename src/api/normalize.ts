/**
 * Both Workspace versions → the one normalized `Workspace`: defaults applied the way Kaito's CRD applies
 * them (`resource.count` 1, `accessMode` public), namespace `default`, tuning method lower-cased (Kaito
 * compares it case-insensitively), and the runtime resolved from `kaito.sh/runtime`, defaulting to
 * transformers for v1alpha1 and vllm for v1beta1 (our contract, DESIGN.md "Runtime").
 */
import type {
  ApiVersion,
  InferenceSpec,
  PresetSpec,
  Runtime,
  SourceRef,
  TuningMethod,
  TuningSpec,
  Workspace,
  WorkspaceDocument,
} from './types.ts';
import { RUNTIME_ANNOTATION } from './constants.ts';
import { RUNTIMES, TUNING_METHODS } from './types.ts';

export const DEFAULT_NAMESPACE = 'default';

/** A Workspace document after structural pruning: every field has the right type, but some may be missing. */
export type PartialWorkspaceDocument = DeepPartial<WorkspaceDocument>;

type DeepPartial<T> = T extends readonly (infer E)[]
  ? DeepPartial<E>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export function defaultRuntime(apiVersion: ApiVersion): Runtime {
  return apiVersion === 'kaito.sh/v1alpha1' ? 'transformers' : 'vllm';
}

export function runtimeOf(apiVersion: ApiVersion, annotations: Record<string, string>): Runtime {
  const written = annotations[RUNTIME_ANNOTATION];
  return RUNTIMES.find((r) => r === written) ?? defaultRuntime(apiVersion);
}

/**
 * Builds the normalized model. Fields the pruned document lacks are filled with empty values; the
 * structural problems already name them, so the rules that look at the fillers stay quiet about them.
 */
export function normalizeWorkspace(document: PartialWorkspaceDocument, source: SourceRef): Workspace {
  const apiVersion: ApiVersion = document.apiVersion ?? 'kaito.sh/v1beta1';
  const metadata = document.metadata ?? {};
  const annotations = { ...(metadata.annotations ?? {}) } as Record<string, string>;
  const resource = document.resource ?? {};
  const workspace: Workspace = {
    apiVersion,
    name: metadata.name ?? '',
    namespace: metadata.namespace ?? DEFAULT_NAMESPACE,
    labels: { ...(metadata.labels ?? {}) } as Record<string, string>,
    annotations,
    resource: {
      ...(resource as Workspace['resource']),
      count: resource.count ?? 1,
      labelSelector: (resource.labelSelector ?? {}) as Workspace['resource']['labelSelector'],
    },
    runtime: runtimeOf(apiVersion, annotations),
    source,
    document: document as WorkspaceDocument,
  };
  if (document.inference !== undefined) workspace.inference = normalizeInference(document.inference);
  if (document.tuning !== undefined) workspace.tuning = normalizeTuning(document.tuning);
  return workspace;
}

function normalizePreset(preset: DeepPartial<PresetSpec>): PresetSpec {
  return { ...(preset as PresetSpec), name: preset.name ?? '', accessMode: preset.accessMode ?? 'public' };
}

function normalizeInference(inference: DeepPartial<InferenceSpec>): InferenceSpec {
  const out = { ...inference } as InferenceSpec;
  if (inference.preset !== undefined) out.preset = normalizePreset(inference.preset);
  return out;
}

function normalizeTuning(tuning: DeepPartial<TuningSpec>): TuningSpec {
  const method = (tuning.method ?? '').toLowerCase();
  return {
    ...(tuning as TuningSpec),
    preset: normalizePreset(tuning.preset ?? {}),
    // An unknown method stays as written (lower-cased) so the rule can name it.
    method: (TUNING_METHODS.find((m) => m === method) ?? method) as TuningMethod,
    input: tuning.input ?? {},
    output: tuning.output ?? {},
  };
}
