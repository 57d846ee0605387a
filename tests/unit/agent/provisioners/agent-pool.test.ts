import type { AgentPool } from '@azure/arm-containerservice';
import { describe, expect, it } from 'vitest';
import type { NodeRequest } from '../../../../src/agent/node-provisioner.ts';
import {
  agentPoolSpec,
  decideAgentPoolAction,
  poolOwner,
} from '../../../../src/agent/provisioners/agent-pool.ts';
import { agentPoolName } from '../../../../src/agent/provisioners/agent-pool-names.ts';
import { nodeLabelRefusal } from '../../../support/aks-node-labels.ts';

const request: NodeRequest = {
  workspace: { namespace: 'team-a', name: 'phi-3' },
  instanceType: 'Standard_NC24ads_A100_v4',
  nodes: 2,
  gpusPerNode: 1,
  matchLabels: { apps: 'phi-3' },
  diskGiB: 120,
};
const desired = agentPoolSpec(request);
const name = agentPoolName(request.workspace);
const existing = (overrides: Partial<AgentPool> = {}): AgentPool => ({
  ...desired,
  name,
  provisioningState: 'Succeeded',
  ...overrides,
});

describe('what to do about the agent pool that exists', () => {
  it.each<[string, AgentPool | undefined, ReturnType<typeof decideAgentPoolAction>]>([
    ['none yet', undefined, { kind: 'create' }],
    ['as desired', existing(), { kind: 'none' }],
    [
      'creating (maybe since before a restart)',
      existing({ provisioningState: 'Creating' }),
      { kind: 'wait', state: 'Creating' },
    ],
    ['scaling', existing({ provisioningState: 'Scaling', count: 1 }), { kind: 'wait', state: 'Scaling' }],
    ['deleting', existing({ provisioningState: 'Deleting' }), { kind: 'wait', state: 'Deleting' }],
    ['fewer nodes', existing({ count: 1 }), { kind: 'update', why: 'count 1 → 2' }],
    ['more nodes', existing({ count: 5 }), { kind: 'update', why: 'count 5 → 2' }],
    [
      'other labels',
      existing({ nodeLabels: { ...desired.nodeLabels, apps: 'old' } }),
      { kind: 'update', why: 'node labels changed' },
    ],
    ['no taint', existing({ nodeTaints: [] }), { kind: 'update', why: 'node taints changed' }],
    [
      'failed last time',
      existing({ provisioningState: 'Failed' }),
      { kind: 'update', why: 'last operation Failed' },
    ],
    [
      'another VM size',
      existing({ vmSize: 'Standard_NC6s_v3' }),
      { kind: 'recreate', why: 'vmSize Standard_NC6s_v3 → Standard_NC24ads_A100_v4' },
    ],
    [
      'another OS image',
      existing({ osSKU: 'AzureLinux' }),
      { kind: 'recreate', why: 'osSKU AzureLinux → Ubuntu' },
    ],
    ['another disk size', existing({ osDiskSizeGB: 30 }), { kind: 'recreate', why: 'osDiskSizeGB 30 → 120' }],
    [
      'labelled for another Workspace',
      existing({ nodeLabels: { ...desired.nodeLabels, 'kaito.sh/workspace': 'llama' } }),
      { kind: 'conflict', owner: 'not created by kaito-gitops' },
    ],
    [
      'not made by kaito-gitops',
      existing({ nodeLabels: {} }),
      { kind: 'conflict', owner: 'not created by kaito-gitops' },
    ],
  ])('%s', (_case, pool, expected) => {
    expect(decideAgentPoolAction(desired, request.workspace, pool)).toEqual(expected);
  });
});

describe('the agent pool a Workspace gets', () => {
  it('is a User pool of the instance type, count = nodes, tainted and labelled like gpu-provisioner’s', () => {
    expect(desired).toEqual({
      count: 2,
      vmSize: 'Standard_NC24ads_A100_v4',
      mode: 'User',
      osType: 'Linux',
      osSKU: 'Ubuntu',
      osDiskSizeGB: 120,
      typePropertiesType: 'VirtualMachineScaleSets',
      nodeLabels: {
        apps: 'phi-3',
        'kaito.sh/workspace': 'phi-3',
        'kaito.sh/workspacenamespace': 'team-a',
        'kaito-gitops.io/agent-pool': name,
        'kaito.sh/machine-type': 'gpu',
      },
      nodeTaints: ['sku=gpu:NoSchedule'],
    });
    expect(desired.nodeLabels).not.toHaveProperty('karpenter.sh/nodepool');
  });

  it('carries only labels AKS accepts on a node pool', () => {
    const refused = Object.entries(desired.nodeLabels ?? {}).flatMap(([key, value]) => {
      const refusal = nodeLabelRefusal(key, value);
      return refusal === undefined ? [] : [refusal.target];
    });
    expect(refused).toEqual([]);
  });

  it('uses AzureLinux for the azurelinux image family', () => {
    expect(agentPoolSpec({ ...request, nodeImageFamily: 'azurelinux' }).osSKU).toBe('AzureLinux');
  });
});

describe('which agent pools are this agent’s', () => {
  const labels = desired.nodeLabels ?? {};
  it.each<[string, AgentPool, string | undefined]>([
    ['its own pool', { name, nodeLabels: labels }, 'team-a/phi-3'],
    ['another name with its labels', { name: 'userpool', nodeLabels: labels }, undefined],
    [
      'the agent-pool label naming another pool',
      { name, nodeLabels: { ...labels, 'kaito-gitops.io/agent-pool': 'ws0000000000' } },
      undefined,
    ],
    [
      // gpu-provisioner's pool for one of Kaito's NodeClaims: named after the claim, Kaito's labels.
      'gpu-provisioner’s pool for Kaito',
      {
        name: 'ws1a2b3c4d5',
        nodeLabels: {
          'karpenter.sh/nodepool': 'kaito',
          'kaito.sh/workspace': 'phi-3',
          'kaito.sh/workspacenamespace': 'team-a',
        },
      },
      undefined,
    ],
    ['no labels', { name }, undefined],
  ])('%s', (_case, pool, owner) => {
    const found = poolOwner(pool);
    expect(found === undefined ? undefined : `${found.namespace}/${found.name}`).toBe(owner);
  });
});
