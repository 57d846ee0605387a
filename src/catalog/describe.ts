/**
 * A plan as rows of (field, value), for `kaito-gitops plan` to print as a table or JSON without
 * knowing the plan's shape. Row order is fixed; only facts that apply to the plan appear.
 */
import { WORKSPACE_LABEL, WORKSPACE_NAMESPACE_LABEL, namespacedKey } from '../api/index.ts';
import { formatGi } from './rules.ts';
import { formatPrice } from './sku.ts';
import type { WorkspacePlan } from './types.ts';

export interface PlanRow {
  field: string;
  value: string;
}

export function describePlan(plan: WorkspacePlan): PlanRow[] {
  const rows: PlanRow[] = [];
  const add = (field: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') rows.push({ field, value: String(value) });
  };
  const { workspace, sku } = plan;
  add('workspace', namespacedKey(workspace.namespace, workspace.name));
  add('source', `${workspace.source.file}#${workspace.source.index}`);
  add('workload', plan.workload);
  add('preset', plan.preset?.name);
  add('runtime', plan.workload === 'inference-template' ? undefined : plan.runtime);
  add('instanceType', plan.instanceType ?? (plan.skuSource === 'byo' ? '(bring-your-own nodes)' : undefined));
  add('skuSource', plan.skuSource);
  if (sku) {
    add('gpu', `${sku.gpuCount} x ${sku.gpuModel}, ${formatGi(sku.gpuMemoryGiB)} per node`);
    if (sku.pricePerHourUsd !== undefined) {
      add(
        'cost',
        `${formatPrice(sku.pricePerHourUsd * plan.nodes)} (${plan.nodes} x ${formatPrice(sku.pricePerHourUsd)})`,
      );
    }
  }
  add('nodes', plan.nodes);
  add('gpusPerNode', plan.gpusPerNode);
  add('multiNode', plan.multiNode ? 'yes (StatefulSet + headless Service)' : 'no');
  if (plan.workload !== 'tuning') {
    add(
      'placement',
      plan.pinToWorkspaceNodes
        ? `labelSelector + the nodes provisioned for this Workspace (${WORKSPACE_LABEL}, ${WORKSPACE_NAMESPACE_LABEL})`
        : 'labelSelector only (bring-your-own nodes)',
    );
  }
  const { tensor, pipeline, data } = plan.parallelism;
  if (plan.workload === 'inference-preset' && plan.runtime === 'vllm') {
    add('parallelism', `tensor ${tensor}, pipeline ${pipeline}, data ${data}`);
  }
  if (plan.estimate) {
    add(
      'estimate',
      `max-model-len ${plan.estimate.maxModelLen}: ${formatGi(plan.estimate.loadedWeightsGiB)} weights / ${formatGi(plan.estimate.availableForWeightsGiB)} per GPU → ${plan.estimate.minGpus} GPU(s)`,
    );
  }
  add('image', plan.image);
  add('command', plan.command.join(' '));
  if (plan.weights.kind === 'huggingface') {
    add(
      'weights',
      `huggingface ${plan.weights.repository}${plan.weights.revision ? `@${plan.weights.revision}` : ''}`,
    );
  } else add('weights', plan.weights.kind);
  add('hfTokenSecret', plan.huggingFaceTokenSecret);
  if (plan.diskGiB > 0) add('disk', formatGi(plan.diskGiB));
  if (plan.workload === 'inference-preset')
    add('readinessTimeout', `${plan.readinessTimeoutSeconds / 60} min`);
  plan.notes.forEach((note) => add('note', note));
  return rows;
}
