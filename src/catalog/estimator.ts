/**
 * Kaito v0.12's NodeEstimator (`pkg/workspace/estimator/nodesestimator/estimator.go`), used for the vLLM
 * runtime only: how many nodes of a SKU the weights, the runtime overhead and the KV cache for one
 * `max-model-len` sequence need. Pure arithmetic on GiB; same constants as Kaito so that a plan here
 * gives the node count Kaito would write to `status.targetNodeCount`.
 */
import type { NodeEstimate } from './types.ts';

export const ESTIMATOR = {
  /** vLLM `--gpu-memory-utilization` the estimate assumes. */
  gpuMemoryUtilization: 0.84,
  /** Weights grow ~2% once loaded by vLLM. */
  weightExpansionFactor: 1.02,
  /** CUDA context, NCCL buffers, activations baseline, GiB per GPU. */
  baseOverheadGiB: 2.3,
  /** Overhead that grows with the per-GPU weight share. */
  overheadWeightFactor: 0.05,
  /** Context the estimate reserves KV cache for when the user's ConfigMap sets no `max-model-len`. */
  defaultMaxModelLen: 2048,
} as const;

const GIB = 1024 ** 3;

export interface EstimateInput {
  weightsGiB: number;
  bytesPerToken: number;
  /** GPUs on one node and their total memory (GiB). */
  gpuCount: number;
  nodeGpuMemoryGiB: number;
  maxModelLen: number;
}

/** The result, or Kaito's message when one GPU cannot even hold the overhead. */
export type EstimateResult = { ok: true; estimate: NodeEstimate } | { ok: false; message: string };

export function estimateNodes(input: EstimateInput): EstimateResult {
  const { gpuMemoryUtilization, weightExpansionFactor, baseOverheadGiB, overheadWeightFactor } = ESTIMATOR;
  const perGpuMemoryGiB = input.nodeGpuMemoryGiB / input.gpuCount;
  const available = perGpuMemoryGiB * gpuMemoryUtilization;
  const kvCacheGiB = (input.maxModelLen * input.bytesPerToken) / input.gpuCount / GIB;
  const fixedReserve = baseOverheadGiB + kvCacheGiB;
  if (available <= fixedReserve) {
    return {
      ok: false,
      message:
        `GPU memory ${(perGpuMemoryGiB * GIB).toFixed(0)} bytes is too small, needs at least ` +
        `${fixedReserve.toFixed(1)} GB overhead (base: ${baseOverheadGiB.toFixed(1)}GB + KV Cache: ${kvCacheGiB.toFixed(1)} GB)`,
    };
  }
  const availableForWeightsGiB = (available - fixedReserve) / (1 + overheadWeightFactor);
  const loadedWeightsGiB = input.weightsGiB * weightExpansionFactor;
  const minGpus = Math.floor(loadedWeightsGiB / availableForWeightsGiB) + 1;
  return {
    ok: true,
    estimate: {
      maxModelLen: input.maxModelLen,
      gpuMemoryUtilization,
      perGpuMemoryGiB,
      availableForWeightsGiB,
      loadedWeightsGiB,
      minGpus,
      nodes: Math.ceil(minGpus / input.gpuCount),
    },
  };
}

/**
 * `max-model-len` from the user's `vllm:` config section, when it is a positive integer (number or
 * numeric string); undefined otherwise.
 */
export function configuredMaxModelLen(
  vllmConfig: Readonly<Record<string, unknown>> | undefined,
): number | undefined {
  const raw = vllmConfig?.['max-model-len'];
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
