/**
 * The tuning Job's egress NetworkPolicy, evaluated with Node's own CIDR matcher (`net.BlockList`) the
 * way a network plugin reads `ipBlock.cidr` and `except`: DNS and public addresses only.
 */
import { BlockList, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { dataUrlError } from '../../../src/api/index.ts';
import type { Manifest } from '../../../src/synth/index.ts';
import { synthesize } from '../../../src/synth/index.ts';
import { tuningPlan } from '../../support/plans.ts';

interface IpBlock {
  cidr: string;
  except?: string[];
}
interface EgressRule {
  to?: { ipBlock?: IpBlock }[];
  ports?: { protocol: string; port: number }[];
}

const policyOf = (objects: readonly Manifest[]) => objects.find((o) => o.kind === 'NetworkPolicy');

function subnet(cidr: string): BlockList {
  const list = new BlockList();
  const [address = '', prefix = '0'] = cidr.split('/');
  list.addSubnet(address, Number(prefix), isIPv6(address) ? 'ipv6' : 'ipv4');
  return list;
}

/** Whether the policy's rules let a pod open `protocol`/`port` to `address`. */
function allows(rules: readonly EgressRule[], address: string, port = 443, protocol = 'TCP'): boolean {
  const family = isIPv6(address) ? 'ipv6' : 'ipv4';
  return rules.some((rule) => {
    const portOk =
      rule.ports === undefined || rule.ports.some((p) => p.port === port && p.protocol === protocol);
    const toOk =
      rule.to === undefined ||
      rule.to.some(
        ({ ipBlock }) =>
          ipBlock !== undefined &&
          subnet(ipBlock.cidr).check(address, family) &&
          !(ipBlock.except ?? []).some((except) => subnet(except).check(address, family)),
      );
    return portOk && toOk;
  });
}

describe('the tuning Job’s egress NetworkPolicy', () => {
  const objects = synthesize(tuningPlan()).objects;
  const policy = policyOf(objects) as Manifest & {
    spec: {
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      egress: EgressRule[];
    };
  };
  const rules = policy.spec.egress;

  it('selects the Job’s pod and restricts its egress only', () => {
    const job = objects.find((o) => o.kind === 'Job') as Manifest & {
      spec: { template: { metadata: { labels: Record<string, string> } } };
    };
    for (const [label, value] of Object.entries(policy.spec.podSelector.matchLabels))
      expect(job.spec.template.metadata.labels[label]).toBe(value);
    expect(policy.spec.policyTypes).toEqual(['Egress']);
  });

  it.each([
    '10.0.0.1',
    '10.244.1.7', // a pod
    '172.20.0.10', // a Service
    '192.168.1.1',
    '127.0.0.1',
    '169.254.169.254', // cloud metadata
    '168.63.129.16', // Azure wireserver
    '100.100.100.200', // Alibaba metadata
    '192.0.0.192', // Oracle metadata
    '100.64.0.1',
    '224.0.0.251',
    '255.255.255.255',
    '::1',
    'fd00:ec2::254',
    'fe80::1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
  ])('blocks %s', (address) => {
    expect(allows(rules, address)).toBe(false);
    expect(allows(rules, address, 80)).toBe(false);
  });

  it.each(['8.8.8.8', '140.82.112.3', '20.60.1.1', '2606:4700::1111', '2a00:1450:4001::64'])(
    'lets the pod reach the public address %s',
    (address) => {
      expect(allows(rules, address)).toBe(true);
    },
  );

  it('lets the pod reach DNS wherever the resolver is (CoreDNS, NodeLocal DNSCache)', () => {
    for (const resolver of ['10.0.0.10', '169.254.20.10']) {
      expect(allows(rules, resolver, 53, 'UDP')).toBe(true);
      expect(allows(rules, resolver, 53, 'TCP')).toBe(true);
      expect(allows(rules, resolver, 443)).toBe(false);
    }
  });

  it('blocks every IP address the data URL rules refuse', () => {
    const refusedByValidation = [
      '0.0.0.1',
      '10.9.8.7',
      '100.127.0.1',
      '172.31.255.255',
      '192.0.0.1',
      '198.19.0.1',
      '240.0.0.1',
      '[::ffff:192.168.0.1]',
      '[fec0::1]',
      '[ff02::1]',
    ];
    for (const host of refusedByValidation) {
      expect(dataUrlError(`http://${host}/`)).toBeDefined();
      expect(allows(rules, host.replace(/^\[|\]$/g, ''))).toBe(false);
    }
  });

  it('is rendered only for data downloaded from URLs', () => {
    const fromImage = synthesize(tuningPlan({ input: { image: 'myregistry.azurecr.io/data:1' } })).objects;
    expect(policyOf(fromImage)).toBeUndefined();
  });
});
