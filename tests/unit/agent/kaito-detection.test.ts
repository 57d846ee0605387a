/** Telling a running Kaito workspace controller apart, from the objects its v0.12 chart creates. */
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { detectKaito, refusalMessage } from '../../../src/agent/kaito-detection.ts';
import {
  kaitoControllerDeployment,
  kaitoHelmOwnedCrd,
  kaitoWebhook,
  kaitoWorkspaceCrd,
} from '../../support/kaito-fixtures.ts';

const kaito = kaitoControllerDeployment() as unknown as V1Deployment;
const asObject = (o: unknown): KubernetesObject => o as KubernetesObject;
const scaledDown = { ...kaito, spec: { ...kaito.spec!, replicas: 0 } };
const other = {
  ...kaito,
  metadata: { name: 'web', namespace: 'shop' },
  spec: { ...kaito.spec!, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
} as V1Deployment;

describe('detectKaito', () => {
  it.each<[string, Parameters<typeof detectKaito>[0], string[]]>([
    ['nothing of Kaito', { deployments: [other], crd: asObject(kaitoWorkspaceCrd()) }, []],
    [
      'its controller Deployment',
      { deployments: [other, kaito] },
      ['Deployment kaito-workspace/kaito-workspace'],
    ],
    [
      'its webhook',
      { deployments: [], webhook: asObject(kaitoWebhook()) },
      ['webhook validation.workspace.kaito.sh'],
    ],
    ['its Deployment scaled to zero', { deployments: [scaledDown] }, []],
  ])('%s', (_name, observed, running) => {
    expect(detectKaito(observed).running).toEqual(running);
  });

  it('warns about a Helm-owned CRD until it is kept on uninstall', () => {
    expect(detectKaito({ deployments: [], crd: asObject(kaitoHelmOwnedCrd()) }).hazards).toEqual([
      'the Workspace CRD belongs to the Helm release kaito-workspace/kaito-workspace: uninstalling it deletes every ' +
        'Workspace; first run `kubectl annotate crd workspaces.kaito.sh helm.sh/resource-policy=keep`',
    ]);
    const kept = kaitoHelmOwnedCrd();
    kept.metadata.annotations!['helm.sh/resource-policy'] = 'keep';
    expect(detectKaito({ deployments: [], crd: asObject(kept) }).hazards).toEqual([]);
  });

  it('says what to do in one line', () => {
    const message = refusalMessage(detectKaito({ deployments: [kaito], webhook: asObject(kaitoWebhook()) }));
    expect(message).not.toContain('\n');
    expect(message).toContain(
      'Deployment kaito-workspace/kaito-workspace, webhook validation.workspace.kaito.sh',
    );
    expect(message).toContain('--coexist');
  });
});
