import { describe, expect, it } from 'vitest';
import {
  CONDITION_REASONS,
  CONDITION_TYPES,
  removeCondition,
  setCondition,
  summarize,
} from '../../../src/api/index.ts';
import type { Condition, KstatusStatus, SummaryContext } from '../../../src/api/index.ts';

const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const condition = (
  type: string,
  status: Condition['status'],
  reason = 'Reason',
  time = '2026-01-01T00:00:00Z',
): Condition => ({
  type,
  status,
  reason,
  message: `${type} is ${status}`,
  lastTransitionTime: time,
});

describe('setCondition', () => {
  it('adds a condition with the time at second precision', () => {
    const next = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'Progressing', message: 'm', observedGeneration: 2 },
      t0,
    );
    expect(next).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Progressing',
        message: 'm',
        observedGeneration: 2,
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
  });

  it('keeps lastTransitionTime when only reason or message change', () => {
    const before = [condition('Ready', 'False', 'Progressing')];
    const [after] = setCondition(
      before,
      { type: 'Ready', status: 'False', reason: 'NodeNotReady', message: 'waiting' },
      t1,
    );
    expect(after).toMatchObject({
      reason: 'NodeNotReady',
      message: 'waiting',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
  });

  it('moves lastTransitionTime when the status changes, in place, without touching the input', () => {
    const before = [
      condition('ResourceReady', 'True'),
      condition('Ready', 'False'),
      condition('Stalled', 'False'),
    ];
    const copy = structuredClone(before);
    const after = setCondition(
      before,
      { type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok' },
      t1,
    );
    expect(after.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['ResourceReady', 'True', '2026-01-01T00:00:00Z'],
      ['Ready', 'True', '2026-01-01T00:05:00Z'],
      ['Stalled', 'False', '2026-01-01T00:00:00Z'],
    ]);
    expect(before).toEqual(copy);
  });

  it('leaves exactly one condition per type, even if the input had duplicates', () => {
    const before = [
      condition('Ready', 'True'),
      condition('InferenceReady', 'True'),
      condition('Ready', 'False'),
    ];
    const after = setCondition(
      before,
      { type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok' },
      t1,
    );
    expect(after.map((c) => c.type)).toEqual(['Ready', 'InferenceReady']);
    expect(after[0]!.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(removeCondition(after, 'Ready').map((c) => c.type)).toEqual(['InferenceReady']);
  });
});

describe('summarize (kstatus)', () => {
  const { Ready, Reconciling, Stalled } = CONDITION_TYPES;
  it.each<[string, Condition[], SummaryContext, KstatusStatus, string]>([
    ['no conditions', [], {}, 'Current', ''],
    ['being deleted', [condition(Ready, 'True')], { deleting: true }, 'Terminating', 'Terminating'],
    [
      'a generation not yet observed (CRD default -1)',
      [condition(Ready, 'True')],
      { generation: 1, observedGeneration: -1 },
      'InProgress',
      'LatestGenerationNotObserved',
    ],
    [
      'reconciling',
      [condition(Reconciling, 'True', 'Progressing'), condition(Ready, 'True')],
      { generation: 2, observedGeneration: 2 },
      'InProgress',
      'Progressing',
    ],
    [
      'stalled',
      [condition(Stalled, 'True', CONDITION_REASONS.InvalidSpec), condition(Ready, 'False')],
      {},
      'Failed',
      'InvalidSpec',
    ],
    [
      'ready',
      [condition(Reconciling, 'False'), condition(Stalled, 'False'), condition(Ready, 'True', 'Succeeded')],
      {},
      'Current',
      'Succeeded',
    ],
    ['not ready', [condition(Ready, 'False', 'NodeNotReady')], {}, 'InProgress', 'NodeNotReady'],
    ['ready unknown', [condition(Ready, 'Unknown', 'Progressing')], {}, 'InProgress', 'Progressing'],
  ])('%s', (_, conditions, context, status, reason) => {
    expect(summarize(conditions, context)).toMatchObject({ status, reason });
  });
});
