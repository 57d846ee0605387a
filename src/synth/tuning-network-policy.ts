/**
 * The egress NetworkPolicy of a tuning Job that downloads its data from URLs. Validation refuses URLs
 * that name cluster-internal, private, loopback, link-local or metadata hosts (`api/data-url.ts`), but a
 * public name can still resolve to anything when the pod runs (DNS rebinding, a two-label name the
 * search path completes to a Service). So the pod may reach DNS (port 53, wherever the cluster's
 * resolver is: CoreDNS, NodeLocal DNSCache on 169.254.20.10, a cloud resolver) and public addresses
 * only: no pod, Service or node network, no private, shared, loopback, link-local, metadata or platform
 * ranges, in IPv4 and IPv6 (with the IPv6 forms that embed IPv4 addresses).
 *
 * NetworkPolicies add up: a cluster whose output registry or model mirror has a private address allows
 * it with a policy of its own. The policy needs a network plugin that enforces NetworkPolicy (Azure CNI
 * with a policy engine, Calico, Cilium); it is listed before the Job, and plugins program it within
 * moments of its creation.
 */
import type { V1NetworkPolicy } from '@kubernetes/client-node';
import type { Workspace } from '../api/index.ts';
import { selectorLabels, workspaceLabels } from './labels.ts';

/** IPv4 ranges a tuning pod may not reach (RFC 6890 special-purpose blocks, plus platform endpoints). */
export const BLOCKED_IPV4 = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // private
  '100.64.0.0/10', // shared address space: pod networks on some clusters, Alibaba's metadata 100.100.100.200
  '127.0.0.0/8', // loopback
  '168.63.129.16/32', // Azure wireserver
  '169.254.0.0/16', // link-local: cloud metadata 169.254.169.254, ECS task metadata
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments: Oracle's metadata 192.0.0.192
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '224.0.0.0/3', // multicast, reserved, broadcast
];

/** IPv6 ranges a tuning pod may not reach, with the forms that embed IPv4 addresses. */
export const BLOCKED_IPV6 = [
  '::/128', // unspecified
  '::1/128', // loopback
  '::ffff:0:0/96', // IPv4-mapped
  '64:ff9b::/96', // NAT64
  '64:ff9b:1::/48', // local-use NAT64
  '100::/64', // discard-only
  '2001::/32', // Teredo
  '2002::/16', // 6to4
  'fc00::/7', // unique local: private, fd00:ec2::254 metadata
  'fe80::/10', // link-local
  'fec0::/10', // site-local
  'ff00::/8', // multicast
];

/** The policy for a tuning Workspace whose input is `urls`; undefined for any other Workspace. */
export function tuningNetworkPolicy(workspace: Workspace): V1NetworkPolicy | undefined {
  if (workspace.tuning?.input.urls === undefined) return undefined;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: `${workspace.name}-tuning-egress`,
      namespace: workspace.namespace,
      labels: workspaceLabels(workspace.name),
    },
    spec: {
      podSelector: { matchLabels: selectorLabels(workspace.name) },
      policyTypes: ['Egress'],
      egress: [
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        {
          to: [
            { ipBlock: { cidr: '0.0.0.0/0', except: BLOCKED_IPV4 } },
            { ipBlock: { cidr: '::/0', except: BLOCKED_IPV6 } },
          ],
        },
      ],
    },
  };
}
