/**
 * Kaito's webhook rules for a Workspace that need no preset or SKU data (v0.12
 * `api/v1beta1/workspace_validation.go`, and `api/v1alpha1` for the private access mode), with Kaito's
 * messages where Kaito has one, plus the rules kaito-gitops adds because it renders the workload itself.
 * Every rule runs, so one pass reports everything wrong with a spec. Rules that need the preset catalog
 * or GPU data (unknown or deprecated preset, GPU memory, runtime support, HF token, GPU partitions) live
 * in `src/catalog`.
 */
import type { Problem } from '../errors.ts';
import { annotationsSizeProblems } from './api-limits.ts';
import type { ConfigMapObject, LabelSelector, Workspace } from './types.ts';
import { RUNTIMES } from './types.ts';
import { validateInference } from './validate-inference.ts';
import { validateTuning } from './validate-tuning.ts';
import {
  dns1035LabelErrors,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  labelValueErrors,
  qualifiedNameErrors,
} from './names.ts';
import { field, item, problem, show } from './problems.ts';
import { looksLikePlaceholder } from './image-reference.ts';
import {
  NODE_IMAGE_FAMILY_ANNOTATION,
  PERFORMANCE_MODE_ANNOTATION,
  RUNTIME_ANNOTATION,
  USE_LOCAL_WEIGHTS_ANNOTATION,
  WORKSPACE_LABEL,
  WORKSPACE_NAMESPACE_LABEL,
} from './constants.ts';

/** What the rules may look at besides the Workspace itself. */
export interface ValidationContext {
  /** ConfigMaps found in the source, for `inference.config` and `tuning.config`. */
  configMaps: readonly ConfigMapObject[];
}

/** Labels Kaito sets on its own nodes; a selector made only of these would match every Workspace's nodes. */
export const RESERVED_SELECTOR_LABELS: readonly string[] = [
  WORKSPACE_LABEL,
  'kaito.sh/ragengine',
  WORKSPACE_NAMESPACE_LABEL,
  'kaito.sh/ragenginenamespace',
  'karpenter.kaito.sh/workspace-name',
  'karpenter.kaito.sh/workspace-namespace',
  'karpenter.kaito.sh/inferenceset',
  'karpenter.kaito.sh/inferenceset-namespace',
];

/**
 * A StatefulSet's pods carry `controller-revision-hash: <name>-<hash of up to 10 characters>`, a label
 * value limited to 63 characters, so longer StatefulSet names never get pods (kubernetes#64023).
 */
export const MAX_INFERENCE_NAME_LENGTH = 52;

const INSTANCE_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** All of Kaito's preset-independent rules for one Workspace. */
export function validateWorkspace(workspace: Workspace, context: ValidationContext): Problem[] {
  const problems: Problem[] = [
    ...validateMetadata(workspace),
    ...validateAnnotations(workspace.annotations),
    ...validateResource(workspace),
  ];
  if (workspace.inference === undefined && workspace.tuning === undefined) {
    problems.push(problem('', 'Either Inference or Tuning must be specified, not neither'));
  }
  if (workspace.inference !== undefined && workspace.tuning !== undefined) {
    problems.push(problem('', 'Either Inference or Tuning must be specified, but not both'));
  }
  problems.push(...validateInference(workspace, context), ...validateTuning(workspace, context));
  return problems;
}

function validateMetadata(workspace: Workspace): Problem[] {
  const problems: Problem[] = [];
  const nameErrors = dns1123LabelErrors(workspace.name);
  if (nameErrors.length > 0) {
    problems.push(problem('metadata.name', `${show(workspace.name)}: ${nameErrors.join(', ')}`));
  } else {
    if (dns1035LabelErrors(workspace.name).length > 0) {
      problems.push(
        problem(
          'metadata.name',
          `${show(workspace.name)} must start with a letter: the Workspace's Service gets the same name, and Service names are DNS-1035 labels`,
        ),
      );
    }
    if (workspace.inference !== undefined && workspace.name.length > MAX_INFERENCE_NAME_LENGTH) {
      problems.push(
        problem(
          'metadata.name',
          `must be at most ${MAX_INFERENCE_NAME_LENGTH} characters for an inference Workspace, got ${workspace.name.length}: its StatefulSet's pods carry the label controller-revision-hash=<name>-<hash>, limited to 63 characters`,
        ),
      );
    }
  }
  const namespaceErrors = dns1123LabelErrors(workspace.namespace);
  if (namespaceErrors.length > 0) {
    problems.push(
      problem('metadata.namespace', `${show(workspace.namespace)}: ${namespaceErrors.join(', ')}`),
    );
  }
  for (const [key, value] of Object.entries(workspace.labels)) {
    const path = field('metadata.labels', key);
    const keyErrors = qualifiedNameErrors(key);
    if (keyErrors.length > 0) problems.push(problem(path, `invalid label key: ${keyErrors.join(', ')}`));
    const valueErrors = labelValueErrors(value);
    if (valueErrors.length > 0) problems.push(problem(path, `${show(value)}: ${valueErrors.join(', ')}`));
  }
  for (const key of Object.keys(workspace.annotations)) {
    const keyErrors = qualifiedNameErrors(key);
    if (keyErrors.length > 0) {
      problems.push(
        problem(field('metadata.annotations', key), `invalid annotation key: ${keyErrors.join(', ')}`),
      );
    }
  }
  problems.push(...annotationsSizeProblems(workspace.annotations));
  return problems;
}

function validateAnnotations(annotations: Record<string, string>): Problem[] {
  const problems: Problem[] = [];
  const at = (key: string): string => field('metadata.annotations', key);
  const runtime = annotations[RUNTIME_ANNOTATION];
  if (runtime !== undefined && !RUNTIMES.some((r) => r === runtime)) {
    problems.push(
      problem(
        at(RUNTIME_ANNOTATION),
        `unsupported runtime ${show(runtime)}, supported values are transformers, vllm`,
      ),
    );
  }
  const family = annotations[NODE_IMAGE_FAMILY_ANNOTATION];
  if (family !== undefined && !['ubuntu', 'azurelinux'].includes(family.trim().toLowerCase())) {
    problems.push(
      problem(
        at(NODE_IMAGE_FAMILY_ANNOTATION),
        `unsupported node image family ${show(family)}, supported values are azurelinux, ubuntu`,
      ),
    );
  }
  const mode = annotations[PERFORMANCE_MODE_ANNOTATION];
  if (mode !== undefined && !['balanced', 'interactivity', 'throughput'].includes(mode)) {
    problems.push(
      problem(
        at(PERFORMANCE_MODE_ANNOTATION),
        `${show(mode)} is not a valid performance mode; choose one of: balanced, interactivity, throughput`,
      ),
    );
  }
  const localWeights = annotations[USE_LOCAL_WEIGHTS_ANNOTATION];
  if (localWeights !== undefined && localWeights !== 'true' && localWeights !== 'false') {
    problems.push(
      problem(at(USE_LOCAL_WEIGHTS_ANNOTATION), `${show(localWeights)} must be "true" or "false"`),
    );
  }
  return problems;
}

function validateResource(workspace: Workspace): Problem[] {
  const { resource } = workspace;
  const problems: Problem[] = [];
  const instanceType = resource.instanceType ?? '';
  if (instanceType !== '' && !INSTANCE_TYPE.test(instanceType)) {
    const why = looksLikePlaceholder(instanceType) ? ' (it looks like a placeholder)' : '';
    problems.push(
      problem(
        'resource.instanceType',
        `${show(instanceType)} is not a valid instance type name${why}; set a GPU VM size such as Standard_NC24ads_A100_v4, or leave it empty to bring your own nodes or let kaito-gitops pick one`,
      ),
    );
  }
  (resource.preferredNodes ?? []).forEach((node, index) => {
    const errors = dns1123SubdomainErrors(node);
    if (errors.length > 0) {
      const why = looksLikePlaceholder(node) ? ' (it looks like a placeholder)' : '';
      problems.push(
        problem(
          item('resource.preferredNodes', index),
          `${show(node)} is not a node name${why}: ${errors.join(', ')}`,
        ),
      );
    }
  });
  if (workspace.tuning !== undefined && resource.count > 1) {
    problems.push(
      problem(
        'resource.count',
        'Tuning does not currently support multinode configurations. Please set the node count to 1. Future support with DeepSpeed will allow this.',
      ),
    );
  }
  problems.push(...validateLabelSelector(resource.labelSelector));
  return problems;
}

/** `metav1.LabelSelectorAsMap`: the selector as node labels; errors with the apimachinery texts. */
export function labelSelectorAsMap(
  selector: LabelSelector,
): { ok: true; labels: Record<string, string> } | { ok: false; error: string; index: number } {
  const labels: Record<string, string> = { ...(selector.matchLabels ?? {}) };
  const expressions = selector.matchExpressions ?? [];
  for (const [index, expression] of expressions.entries()) {
    if (expression.operator !== 'In') {
      return {
        ok: false,
        index,
        error: `operator ${show(expression.operator)} cannot be converted into the old label selector format`,
      };
    }
    const [only, ...rest] = expression.values ?? [];
    if (only === undefined || rest.length > 0) {
      return {
        ok: false,
        index,
        error: 'operator "In" without a single value cannot be converted into the old label selector format',
      };
    }
    labels[expression.key] = only;
  }
  return { ok: true, labels };
}

function validateLabelSelector(selector: LabelSelector): Problem[] {
  const problems: Problem[] = [];
  const base = 'resource.labelSelector';
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const path = field(`${base}.matchLabels`, key);
    const keyErrors = qualifiedNameErrors(key);
    if (keyErrors.length > 0) problems.push(problem(path, `invalid label key: ${keyErrors.join(', ')}`));
    const valueErrors = labelValueErrors(value);
    if (valueErrors.length > 0) problems.push(problem(path, `${show(value)}: ${valueErrors.join(', ')}`));
  }
  (selector.matchExpressions ?? []).forEach((expression, index) => {
    const keyErrors = qualifiedNameErrors(expression.key);
    if (keyErrors.length > 0) {
      problems.push(
        problem(
          `${item(`${base}.matchExpressions`, index)}.key`,
          `invalid label key: ${keyErrors.join(', ')}`,
        ),
      );
    }
  });
  const asMap = labelSelectorAsMap(selector);
  if (!asMap.ok) {
    problems.push(
      problem(
        item(`${base}.matchExpressions`, asMap.index),
        `${asMap.error}; the labels become node affinity, so only matchLabels or an 'In' expression with one value can be used`,
      ),
    );
    return problems;
  }
  const keys = Object.keys(asMap.labels);
  if (keys.length === 0) {
    problems.push(
      problem(
        base,
        "must have at least one matchLabels entry or an 'In' matchExpression: the workload runs on the nodes carrying these labels",
      ),
    );
  } else if (keys.every((key) => RESERVED_SELECTOR_LABELS.includes(key))) {
    problems.push(problem(`${base}.matchLabels`, 'matchLabels must contain at least one non-reserved label'));
  }
  return problems;
}
