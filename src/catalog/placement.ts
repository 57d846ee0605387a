/**
 * Where a Workspace runs: the SKU it names (checked against the catalog), bring-your-own nodes, or
 * the cheapest catalog SKU that fits the model on one node, with notes saying which and why.
 */
import type { Problem } from '../errors.ts';
import { BYO_NODES_ANNOTATION, type Runtime, type Workspace } from '../api/index.ts';
import { ESTIMATOR, configuredMaxModelLen, estimateNodes, type EstimateResult } from './estimator.ts';
import { formatGi, transformersResourceProblems } from './rules.ts';
import { cheapestFit, formatPrice, resolveSku } from './sku.ts';
import type { Catalog, Cloud, GpuSku, ModelPreset, PlanContext, WorkspacePlan } from './types.ts';

const CLOUD_NAMES: Record<Cloud, string> = { azure: 'Azure', aws: 'AWS', arc: 'Azure Arc' };

/** Nodes the user brings: named nodes, the annotation, or a GPU partition (Kaito: BYO nodes only). */
export function isBringYourOwnNodes(workspace: Workspace): boolean {
  return (
    (workspace.resource.preferredNodes?.length ?? 0) > 0 ||
    workspace.annotations[BYO_NODES_ANNOTATION] === 'byo' ||
    workspace.resource.partition !== undefined
  );
}

export function describeSku(sku: GpuSku, catalog: Catalog): string {
  const price =
    sku.pricePerHourUsd === undefined
      ? 'no list price in the catalog'
      : `${formatPrice(sku.pricePerHourUsd)}, ${catalog.priceSources[sku.cloud] ?? 'price source not stated'}`;
  return `${sku.name}: ${sku.gpuCount} x ${sku.gpuModel}, ${formatGi(sku.gpuMemoryGiB)} GPU memory per node (${price})`;
}

export function vllmEstimate(preset: ModelPreset, sku: GpuSku, context: PlanContext): EstimateResult {
  return estimateNodes({
    weightsGiB: preset.weightsGiB,
    bytesPerToken: preset.bytesPerToken,
    gpuCount: sku.gpuCount,
    nodeGpuMemoryGiB: sku.gpuMemoryGiB,
    maxModelLen: configuredMaxModelLen(context.vllmConfig) ?? ESTIMATOR.defaultMaxModelLen,
  });
}

/** Does `preset` run on one node of `sku` under `runtime` (or tune there)? Used for the cheapest-fit choice. */
export function fitsOnOneNode(
  preset: ModelPreset,
  sku: GpuSku,
  workload: 'inference' | 'tuning',
  runtime: Runtime,
  context: PlanContext = {},
): boolean {
  if (workload === 'tuning') return sku.gpuMemoryGiB >= (preset.tuning.gpuMemoryGiB ?? preset.weightsGiB);
  if (runtime === 'vllm') {
    const result = vllmEstimate(preset, sku, context);
    return result.ok && result.estimate.nodes === 1;
  }
  return transformersResourceProblems(preset, sku, 1, false).length === 0;
}

export interface Placement {
  sku?: GpuSku;
  instanceType?: string;
  skuSource: WorkspacePlan['skuSource'];
  /** The SKU is named but not in the catalog (Azure N/D prefix): GPU facts unknown. */
  unknownSku: boolean;
  /** What is wrong with the placement the spec asks for; empty when it is fine. */
  problems: Problem[];
  /** Which SKU and why, for `plan`. */
  notes: string[];
}

/** Where the workload runs: the named SKU, bring-your-own nodes, or the cheapest SKU that fits. */
export function place(
  workspace: Workspace,
  catalog: Catalog,
  cloud: Cloud,
  fits: ((sku: GpuSku) => boolean) | undefined,
  subject: string,
): Placement {
  const name = workspace.resource.instanceType ?? '';
  const byo = isBringYourOwnNodes(workspace);
  const problems: Problem[] = [];
  const notes: string[] = [];
  const placement: Placement = { skuSource: byo ? 'byo' : 'spec', unknownSku: false, problems, notes };
  if (name !== '') {
    placement.instanceType = name;
    const resolved = resolveSku(name, catalog, cloud);
    if (resolved.kind === 'unsupported')
      problems.push({ path: 'resource.instanceType', message: resolved.message });
    else if (resolved.kind === 'prefix') {
      placement.unknownSku = true;
      if (fits !== undefined && !byo) {
        // Kaito's webhook admits the name, then its controller fails to size the workload on it
        // (pkg/sku/helpers.go GetGPUConfigBySKU): say so before merge instead.
        problems.push({
          path: 'resource.instanceType',
          message: `Unsupported SKU '${name}' for cloud provider: Kaito admits ${resolved.prefix}* sizes it does not know, but cannot size ${subject} on one, so the workload would never start; use a size the catalog lists (kaito-gitops presets --skus) or add ${name} with its GPU count and memory to the presets' SKU file`,
        });
      } else {
        notes.push(
          `${name} is not in the SKU catalog (Kaito admits ${resolved.prefix}* sizes): GPU count and memory unknown, nothing is sized from them`,
        );
      }
    } else {
      placement.sku = resolved.sku;
      notes.push(describeSku(resolved.sku, catalog));
    }
    if (byo) notes.push(`nodes are bring-your-own; ${name} is used only to size the workload`);
    return placement;
  }
  if (byo) {
    notes.push('nodes are bring-your-own (no SKU): GPU count and memory are read from the nodes at run time');
    return placement;
  }
  if (!fits) {
    problems.push({
      path: 'resource.instanceType',
      message: 'instanceType is required when node auto-provisioning is enabled',
    });
    return placement;
  }
  const chosen = cheapestFit(catalog, cloud, fits);
  if (!chosen) {
    problems.push({
      path: 'resource.instanceType',
      message: `no ${CLOUD_NAMES[cloud]} SKU with a list price in the catalog fits ${subject} on one node; set resource.instanceType`,
    });
    return placement;
  }
  notes.push(
    `chose ${chosen.name}: cheapest ${CLOUD_NAMES[cloud]} SKU that fits ${subject} on one node (${formatPrice(chosen.pricePerHourUsd ?? 0)}, ${catalog.priceSources[cloud] ?? 'price source not stated'}); ${chosen.gpuCount} x ${chosen.gpuModel}, ${formatGi(chosen.gpuMemoryGiB)} GPU memory`,
  );
  return {
    sku: chosen,
    instanceType: chosen.name,
    skuSource: 'cheapest-fit',
    unknownSku: false,
    problems,
    notes,
  };
}
