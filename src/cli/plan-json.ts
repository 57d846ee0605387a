/**
 * `plan --output json`: one object per Workspace with the plan's facts as their own types (counts and
 * GiB as numbers, the price as `pricePerHourUsd`, the command as a list), for scripts and the PR
 * comment alike. Text output stays `describePlan`'s rows.
 */
import type { WorkspacePlan } from '../catalog/index.ts';

type NodeEstimate = NonNullable<WorkspacePlan['estimate']>;
type PartitionPlan = NonNullable<WorkspacePlan['partition']>;
type Runtime = WorkspacePlan['runtime'];

export interface PlanJson {
  workspace: { namespace: string; name: string };
  source: { file: string; document: number };
  workload: WorkspacePlan['workload'];
  /** The preset the Workspace names; absent for templates. */
  preset?: string;
  /** Absent for templates (their pod template decides). */
  runtime?: Runtime;
  /** Absent for bring-your-own nodes. */
  instanceType?: string;
  skuSource: WorkspacePlan['skuSource'];
  gpu?: { count: number; model: string; memoryGiB: number };
  /** The SKU's price per node-hour, where the catalog knows it. */
  pricePerHourUsd?: number;
  /** `pricePerHourUsd` × nodes. */
  costPerHourUsd?: number;
  nodes: number;
  gpusPerNode: number;
  multiNode: boolean;
  /**
   * Inference only: pods also require the labels the agent's provisioners put on the nodes they create
   * for this Workspace; false on bring-your-own nodes (`nodes: byo`, `preferredNodes`, the annotation).
   */
  pinnedToWorkspaceNodes?: boolean;
  parallelism: { tensor: number; pipeline: number; data: number };
  estimate?: NodeEstimate;
  partition?: PartitionPlan;
  image: string;
  command: string[];
  weights: { kind: string; repository?: string; revision?: string };
  huggingFaceTokenSecret?: string;
  diskGiB: number;
  /** Inference presets only. */
  readinessTimeoutSeconds?: number;
  notes: string[];
}

export function planJson(plan: WorkspacePlan): PlanJson {
  const { workspace, sku } = plan;
  const price = sku?.pricePerHourUsd;
  return {
    workspace: { namespace: workspace.namespace, name: workspace.name },
    source: { file: workspace.source.file, document: workspace.source.index },
    workload: plan.workload,
    ...(plan.workload !== 'inference-template' ? { preset: plan.preset.name, runtime: plan.runtime } : {}),
    ...(plan.instanceType !== undefined ? { instanceType: plan.instanceType } : {}),
    skuSource: plan.skuSource,
    ...(sku !== undefined
      ? { gpu: { count: sku.gpuCount, model: sku.gpuModel, memoryGiB: sku.gpuMemoryGiB } }
      : {}),
    ...(price !== undefined ? { pricePerHourUsd: price, costPerHourUsd: price * plan.nodes } : {}),
    nodes: plan.nodes,
    gpusPerNode: plan.gpusPerNode,
    multiNode: plan.multiNode,
    ...(plan.workload !== 'tuning' ? { pinnedToWorkspaceNodes: plan.pinToWorkspaceNodes } : {}),
    parallelism: { ...plan.parallelism },
    ...(plan.estimate !== undefined ? { estimate: plan.estimate } : {}),
    ...(plan.partition !== undefined ? { partition: plan.partition } : {}),
    image: plan.image,
    command: [...plan.command],
    weights:
      plan.weights.kind === 'huggingface'
        ? {
            kind: 'huggingface',
            repository: plan.weights.repository,
            ...(plan.weights.revision !== undefined ? { revision: plan.weights.revision } : {}),
          }
        : { kind: plan.weights.kind },
    ...(plan.huggingFaceTokenSecret !== undefined
      ? { huggingFaceTokenSecret: plan.huggingFaceTokenSecret }
      : {}),
    diskGiB: plan.diskGiB,
    ...(plan.workload === 'inference-preset'
      ? { readinessTimeoutSeconds: plan.readinessTimeoutSeconds }
      : {}),
    notes: [...plan.notes],
  };
}
