import { describe, expect, it } from 'vitest';
import { azureSettings, parseProvisioner } from '../../../src/cli/agent.ts';
import { parseListenAddress } from '../../../src/cli/listen-address.ts';
import { UsageError } from '../../../src/errors.ts';

describe('agent flags', () => {
  it.each([
    [':8081', { host: '0.0.0.0', port: 8081 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9090', { host: '::1', port: 9090 }], // what server.listen takes: no brackets
  ])('--metrics-addr %s', (value, expected) => {
    expect(parseListenAddress(value, '--metrics-addr')).toEqual(expected);
  });

  it.each(['8081', ':http', ':70000'])('--metrics-addr %s is a usage error', (value) => {
    expect(() => parseListenAddress(value, '--metrics-addr')).toThrow(UsageError);
  });

  it.each([
    ['nodeclaim', 'nodeclaim'],
    ['aks', 'aks'],
    ['byo', 'byo'],
  ])('--provisioner %s', (value, expected) => {
    expect(parseProvisioner(value)).toBe(expected);
  });

  it.each([
    [undefined, '--provisioner is required: nodeclaim or aks or byo'],
    ['gke', '--provisioner must be nodeclaim, aks, byo, not "gke"'],
  ])('--provisioner %s is refused', (value, message) => {
    expect(() => parseProvisioner(value)).toThrow(new UsageError(message));
  });

  it('aks takes the cluster from flags, else from the environment, and names what is missing', () => {
    const env = {
      AZURE_SUBSCRIPTION_ID: 'sub',
      AZURE_RESOURCE_GROUP: 'rg',
      AZURE_CLUSTER_NAME: 'env-cluster',
    };
    expect(azureSettings({ 'azure-cluster-name': 'flag-cluster' }, env)).toEqual({
      subscriptionId: 'sub',
      resourceGroup: 'rg',
      clusterName: 'flag-cluster',
    });
    expect(() => azureSettings({}, { AZURE_SUBSCRIPTION_ID: 'sub' })).toThrow(
      new UsageError('--provisioner aks needs --azure-resource-group (or AZURE_RESOURCE_GROUP)'),
    );
  });
});
