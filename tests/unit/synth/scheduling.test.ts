import { describe, expect, it } from 'vitest';
import type { LabelSelector } from '../../../src/api/types.ts';
import {
  appendGpuTolerations,
  gpuTolerations,
  mergeNodeAffinity,
  nodeRequirements,
  requiredNodeAffinity,
} from '../../../src/synth/scheduling.ts';

describe('nodeRequirements', () => {
  it.each<[string, LabelSelector, unknown[]]>([
    [
      'matchLabels become In, sorted by key',
      { matchLabels: { b: '2', a: '1' } },
      [
        { key: 'a', operator: 'In', values: ['1'] },
        { key: 'b', operator: 'In', values: ['2'] },
      ],
    ],
    [
      'matchExpressions pass through',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['x'] }] },
      [{ key: 'zone', operator: 'NotIn', values: ['x'] }],
    ],
    [
      'Exists keeps no values',
      { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] },
      [{ key: 'gpu', operator: 'Exists' }],
    ],
    [
      'labels first, then expressions',
      { matchLabels: { apps: 'phi' }, matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] },
      [
        { key: 'apps', operator: 'In', values: ['phi'] },
        { key: 'x', operator: 'DoesNotExist' },
      ],
    ],
    ['an empty selector requires nothing', {}, []],
  ])('%s', (_name, selector, expected) => {
    expect(nodeRequirements(selector)).toEqual(expected);
  });
});

describe('node affinity', () => {
  const selector = { matchLabels: { apps: 'phi' } };
  const ours = { key: 'apps', operator: 'In', values: ['phi'] };

  it('is a single required term for generated pods, and absent for an empty selector', () => {
    expect(requiredNodeAffinity(selector)).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [ours] }] },
      },
    });
    expect(requiredNodeAffinity({})).toBeUndefined();
  });

  it("adds the requirements to every one of the user's ORed terms and keeps the rest of the affinity", () => {
    const podAntiAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }],
    };
    const preferred = [
      { weight: 1, preference: { matchExpressions: [{ key: 'fast', operator: 'Exists' }] } },
    ];
    const merged = mergeNodeAffinity(
      {
        podAntiAffinity,
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: preferred,
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
              { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] },
            ],
          },
        },
      },
      selector,
    );
    expect(merged).toEqual({
      podAntiAffinity,
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: preferred,
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, ours] },
            {
              matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }],
              matchExpressions: [ours],
            },
          ],
        },
      },
    });
  });
});

describe('appendGpuTolerations', () => {
  it('appends the sku=gpu and nvidia.com/gpu tolerations after the existing ones', () => {
    const own = { key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' };
    expect(appendGpuTolerations([own])).toEqual([own, ...gpuTolerations()]);
  });

  it('does not repeat a toleration the template already has', () => {
    const existing = gpuTolerations();
    expect(appendGpuTolerations(existing)).toEqual(existing);
  });
});
