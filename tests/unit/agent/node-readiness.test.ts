import { describe, expect, it } from 'vitest';
import { nodeVerdict, usableNodeNames } from '../../../src/agent/node-readiness.ts';
import type { NodeRequirements } from '../../../src/agent/node-readiness.ts';
import { gpuNode } from './fixtures.ts';

const wanted: NodeRequirements = { instanceType: 'Standard_NC6s_v3', matchLabels: { apps: 'phi-3' } };

describe('nodeVerdict', () => {
  it.each([
    ['a Ready GPU node of the type with the labels', gpuNode('n'), wanted, 'usable'],
    ['a node being deleted', gpuNode('n', { deleting: true }), wanted, 'deleting'],
    ['a NotReady node', gpuNode('n', { ready: false }), wanted, 'not-ready'],
    [
      'another instance type',
      gpuNode('n', { instanceType: 'Standard_NC24ads_A100_v4' }),
      wanted,
      'wrong-instance-type',
    ],
    [
      'any instance type for BYO',
      gpuNode('n', { instanceType: 'x' }),
      { matchLabels: { apps: 'phi-3' } },
      'usable',
    ],
    ['a node without the labels', gpuNode('n', { labels: { apps: 'other' } }), wanted, 'missing-labels'],
    ['no nvidia.com/gpu capacity yet', gpuNode('n', { gpus: '' }), wanted, 'no-gpu-capacity'],
    ['zero nvidia.com/gpu capacity', gpuNode('n', { gpus: '0' }), wanted, 'no-gpu-capacity'],
    ['garbage capacity', gpuNode('n', { gpus: 'lots' }), wanted, 'no-gpu-capacity'],
  ] as const)('%s → %s', (_name, node, requirements, verdict) => {
    expect(nodeVerdict(node, requirements)).toBe(verdict);
  });
});

describe('usableNodeNames', () => {
  it('keeps only usable nodes, sorted', () => {
    const nodes = [gpuNode('c'), gpuNode('a'), gpuNode('b', { ready: false })];
    expect(usableNodeNames(nodes, wanted)).toEqual(['a', 'c']);
  });
});
