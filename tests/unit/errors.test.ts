import { describe, expect, it } from 'vitest';
import { NotReadyError, SpecError, TransientError, formatProblems } from '../../src/errors.ts';

describe('formatProblems', () => {
  it('puts file, field path and message on one line per problem', () => {
    const text = formatProblems(
      [
        { path: 'inference.adapters[1].strength', message: 'must be between 0 and 1' },
        { path: '', message: 'Either Inference or Tuning must be specified, not neither' },
      ],
      'gitops/workspaces/phi-3.yaml',
    );
    expect(text).toBe(
      'gitops/workspaces/phi-3.yaml: inference.adapters[1].strength: must be between 0 and 1\n' +
        'gitops/workspaces/phi-3.yaml: Either Inference or Tuning must be specified, not neither',
    );
  });
});

describe('error classes', () => {
  it('are told apart by class, and keep what callers branch on', () => {
    const spec = new SpecError([{ path: 'resource.instanceType', message: 'x' }], { file: 'a.yaml' });
    expect(spec).toBeInstanceOf(SpecError);
    expect(spec.problems).toHaveLength(1);
    expect(new NotReadyError('node booting', 15).retryAfterSeconds).toBe(15);
    const cause = new Error('socket hang up');
    expect(new TransientError('ARM 503', 5, { cause }).cause).toBe(cause);
  });
});
