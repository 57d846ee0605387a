/**
 * GPU partitioning as Kaito v0.12 defines it (`resource.partition`; api/v1beta1/workspace_validation.go
 * validatePartition, validateMIGPartition, validateAcceleratorPartition, validateMIGModelFit;
 * pkg/utils/mig/mig.go): `mig` runs the model on one MIG slice of a GPU, `accelerator` on `count` whole
 * GPUs. Both only on bring-your-own nodes, both inference only. Messages are Kaito's; Kaito's feature
 * gates (`enableMIG`, `enableAccelerator`) have no counterpart here: partitioning is always available.
 */
import type { Problem } from '../errors.ts';
import type { Workspace } from '../api/index.ts';
import { ESTIMATOR } from './estimator.ts';
import { formatGi } from './rules.ts';
import type { GpuPartitions, GpuSku, ModelPreset, NodeEstimate, PartitionPlan } from './types.ts';

const MIG_PROFILE = /^(\d+)g\.([\d.]+)gb$/;

/** Every MIG profile Kaito knows, sorted (its error lists them so). */
export function knownMigProfiles(partitions: GpuPartitions): string[] {
  return [...new Set(partitions.migProfiles.flatMap((g) => g.profiles))].sort();
}

/** GiB of one slice: the profile's GB figure, rounded down and read as GiB, as Kaito sizes it. */
export function sliceGiB(profile: string): number | undefined {
  const match = MIG_PROFILE.exec(profile);
  if (!match || Number(match[1]) === 0) return undefined;
  const gb = Math.floor(Number(match[2]));
  return gb > 0 ? gb : undefined;
}

/** Which GPUs offer `profile`, for the plan's explanation. */
export function gpusWithProfile(partitions: GpuPartitions, profile: string): string[] {
  return partitions.migProfiles.filter((g) => g.profiles.includes(profile)).map((g) => g.gpu);
}

/**
 * The partition the workload gets, or the problems with `resource.partition`. The workload-independent
 * rules (mode, profile, count, bring-your-own nodes) are checked here for inference and tuning alike.
 */
export function partitionFor(
  workspace: Workspace,
  partitions: GpuPartitions,
): { partition?: PartitionPlan; problems: Problem[] } {
  const spec = workspace.resource.partition;
  if (spec === undefined) return { problems: [] };
  const problems: Problem[] = [];
  const at = 'resource.partition';
  if (workspace.tuning !== undefined) {
    return { problems: [{ path: at, message: 'GPU partitioning is not supported for tuning workloads' }] };
  }
  if ((workspace.resource.instanceType ?? '') !== '') {
    problems.push({
      path: at,
      message:
        'GPU partitioning is only supported with BYO nodes (disableNodeAutoProvisioning=true); remove resource.instanceType: a partitioned Workspace runs on your own GPU nodes, found by resource.labelSelector',
    });
  }
  if (spec.mode === 'mig') {
    if (spec.count !== undefined)
      problems.push({ path: `${at}.count`, message: 'count is only valid for accelerator mode' });
    const profile = spec.profile ?? '';
    const size = sliceGiB(profile);
    const known = knownMigProfiles(partitions);
    if (size === undefined) {
      problems.push({
        path: `${at}.profile`,
        message: `invalid MIG profile format "${profile}": expected format like '1g.10gb'`,
      });
    } else if (!known.includes(profile)) {
      problems.push({
        path: `${at}.profile`,
        message: `unknown MIG profile "${profile}": must be one of [${known.join(' ')}]`,
      });
    }
    if (problems.length > 0 || size === undefined) return { problems };
    return {
      partition: {
        mode: 'mig',
        profile,
        resource: `${partitions.migResourcePrefix}${profile}`,
        sliceGiB: size,
      },
      problems,
    };
  }
  if (spec.mode === 'accelerator') {
    if ((spec.profile ?? '') !== '') {
      problems.push({ path: `${at}.profile`, message: 'profile is not valid for accelerator mode' });
    }
    if (spec.count === undefined)
      problems.push({ path: `${at}.count`, message: 'missing field(s): partition.count' });
    if (problems.length > 0 || spec.count === undefined) return { problems };
    return { partition: { mode: 'accelerator', count: spec.count }, problems };
  }
  return {
    problems: [
      {
        path: `${at}.mode`,
        message: `unsupported partition mode "${String(spec.mode)}", supported modes are "mig" and "accelerator"`,
      },
    ],
  };
}

/**
 * validateMIGModelFit: the weights alone must fit one slice (silenced by kaito.sh/bypass-resource-checks,
 * as in Kaito). The overhead-aware check is the node estimate, which the plan runs on the slice.
 */
export function migFitProblems(preset: ModelPreset, partition: PartitionPlan, bypass: boolean): Problem[] {
  if (partition.mode !== 'mig' || bypass || preset.weightsGiB <= partition.sliceGiB) return [];
  return [
    {
      path: 'resource.partition',
      message: `Model ${preset.name} requires at least ${formatGi(preset.weightsGiB)} for weights, which exceeds the ${partition.profile} MIG slice capacity of ${partition.sliceGiB}Gi`,
    },
  ];
}

/** A MIG slice as Kaito sizes it: one GPU with the slice's memory (GetMIGGPUConfig). */
export function migSku(partition: PartitionPlan & { mode: 'mig' }): Omit<GpuSku, 'cloud'> {
  return {
    name: `MIG ${partition.profile}`,
    gpuCount: 1,
    gpuMemoryGiB: partition.sliceGiB,
    gpuModel: `MIG ${partition.profile} slice`,
    nvme: false,
  };
}

/** The plan's note about the partition. */
export function describePartition(partition: PartitionPlan, partitions: GpuPartitions): string {
  if (partition.mode === 'accelerator') {
    return `accelerator partition: ${partition.count} whole GPU(s) of one of your nodes (nvidia.com/gpu: ${partition.count})`;
  }
  const gpus = gpusWithProfile(partitions, partition.profile);
  return `MIG partition: one ${partition.profile} slice (${partition.sliceGiB}Gi, requested as ${partition.resource}: 1) on your own nodes${gpus.length > 0 ? `; offered by ${gpus.join(', ')}` : ''}`;
}

/** Kaito's NodeEstimator message when the model and its overhead do not fit one MIG slice. */
export function migShortfall(
  estimate: NodeEstimate,
  preset: ModelPreset,
  partition: PartitionPlan & { mode: 'mig' },
): string {
  const weights = estimate.loadedWeightsGiB;
  const available = estimate.perGpuMemoryGiB * estimate.gpuMemoryUtilization;
  const factor = ESTIMATOR.overheadWeightFactor;
  const overhead = available - estimate.availableForWeightsGiB * (1 + factor) + factor * weights;
  return `model needs ${(weights + overhead).toFixed(1)}GB (weights ${weights.toFixed(1)}GB + overhead ${overhead.toFixed(1)}GB) but MIG profile ${partition.profile} only provides ${partition.sliceGiB}GB (${available.toFixed(1)}GB available after vLLM gpu-memory-utilization); ${preset.name} needs a larger profile`;
}
