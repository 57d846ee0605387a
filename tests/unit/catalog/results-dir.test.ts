import { describe, expect, it } from 'vitest';
import { resultsDir } from '../../../src/catalog/results-dir.ts';

const output = (outputDir?: string) => ({
  configMap: 'params',
  ...(outputDir !== undefined ? { outputDir } : {}),
});

describe('resultsDir', () => {
  it.each([
    ['Kaito default', output('/mnt/results'), '/mnt/results'],
    ['a trailing slash', output('/mnt/results/'), '/mnt/results'],
    ['a subdirectory', output('/mnt/results/phi-3/run-1'), '/mnt/results/phi-3/run-1'],
    ['dots the trainer resolves', output('/mnt/results/../out/./a'), '/mnt/out/a'],
  ])('%s → %s', (_name, given, dir) => {
    expect(resultsDir(given)).toEqual({ dir });
  });

  it.each([
    ['unset', output(), 'sets no TrainingArguments.output_dir'],
    ['relative', output('out'), 'the trainer would write the adapter to /workspace/tfs/out'],
    ['outside /mnt', output('/mnt2/out'), 'must be an absolute directory under /mnt'],
    ['climbing out of /mnt', output('/mnt/../etc'), 'the trainer would write the adapter to /etc'],
    ['the data directory', output('/mnt/data/'), 'is inside /mnt/data'],
    ['inside the config directory', output('/mnt/config/x'), 'is inside /mnt/config'],
  ])('refuses %s at tuning.config', (_name, given, message) => {
    const result = resultsDir(given);
    expect(result).toMatchObject({ problem: { path: 'tuning.config' } });
    expect('problem' in result && result.problem.message).toContain(message);
  });
});
