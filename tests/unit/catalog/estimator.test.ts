import { describe, expect, it } from 'vitest';
import { configuredMaxModelLen, estimateNodes } from '../../../src/catalog/estimator.ts';

describe('estimateNodes (Kaito v0.12 NodeEstimator)', () => {
  // Worked by hand from the formula: avail = perGPU x 0.84; fixed = 2.3 + len x bytesPerToken / GPUs;
  // free = (avail - fixed) / 1.05; minGPUs = floor(weights x 1.02 / free) + 1; nodes = ceil(minGPUs / GPUs).
  it.each([
    // weights, bytes/token, GPUs, node GiB, max-model-len, free per GPU, min GPUs, nodes
    ['phi-3-mini on 1xV100 16Gi', 7.12, 393216, 1, 16, 2048, 9.8952, 1, 1],
    ['llama-3.3-70b on 2xA100 160Gi', 131.42, 327680, 2, 160, 2048, 61.5119, 3, 2],
    ['llama-3.3-70b on 2xA100, 16k context', 131.42, 327680, 2, 160, 16384, 59.4286, 3, 2],
    ['llama-3.3-70b on 4xA100 320Gi', 131.42, 327680, 4, 320, 2048, 61.6607, 3, 1],
    ['deepseek-r1 on 2xH100 188Gi', 641.3, 70272, 2, 188, 2048, 72.9457, 9, 5],
    ['gpt-oss-120b on 1xA100 80Gi', 60.77, 51840, 1, 80, 2048, 61.7154, 2, 2],
  ])(
    '%s',
    (_name, weightsGiB, bytesPerToken, gpuCount, nodeGpuMemoryGiB, maxModelLen, free, minGpus, nodes) => {
      const result = estimateNodes({ weightsGiB, bytesPerToken, gpuCount, nodeGpuMemoryGiB, maxModelLen });
      if (!result.ok) throw new Error(result.message);
      expect(result.estimate.availableForWeightsGiB).toBeCloseTo(free, 3);
      expect(result.estimate.minGpus).toBe(minGpus);
      expect(result.estimate.nodes).toBe(nodes);
    },
  );

  it("refuses a GPU that cannot hold the overhead, with Kaito's message", () => {
    const result = estimateNodes({
      weightsGiB: 1,
      bytesPerToken: 1048576,
      gpuCount: 1,
      nodeGpuMemoryGiB: 8,
      maxModelLen: 8192,
    });
    expect(result).toEqual({
      ok: false,
      message:
        'GPU memory 8589934592 bytes is too small, needs at least 10.3 GB overhead (base: 2.3GB + KV Cache: 8.0 GB)',
    });
  });
});

describe('configuredMaxModelLen', () => {
  it.each([
    [undefined, undefined],
    [{}, undefined],
    [{ 'max-model-len': 16384 }, 16384],
    [{ 'max-model-len': '4096' }, 4096],
    [{ 'max-model-len': 'auto' }, undefined],
    [{ 'max-model-len': -1 }, undefined],
    [{ 'max-model-len': 1.5 }, undefined],
  ])('%j → %s', (config, expected) => {
    expect(configuredMaxModelLen(config)).toBe(expected);
  });
});
