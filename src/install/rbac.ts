/**
 * What the agent may do, and nothing more: the verbs and resources its code calls (informers list and
 * watch; Workspaces are patched for the finalizer and through /status; referenced ConfigMaps are read;
 * NodeClaims created and deleted by the nodeclaim provisioner; Kaito's webhook and the Workspace CRD read
 * by name at start), as data so a test holds the chart to it.
 */
import { KAITO_WEBHOOK, WORKSPACE_CRD_NAME } from '../agent/index.ts';
import type { ChartProvisioner } from './values.ts';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** Cluster-wide: Workspaces in every namespace, what they run on, and what they run. */
export function clusterRules(provisioner: ChartProvisioner): PolicyRule[] {
  const rules: PolicyRule[] = [
    { apiGroups: ['kaito.sh'], resources: ['workspaces'], verbs: ['list', 'watch', 'patch'] },
    { apiGroups: ['kaito.sh'], resources: ['workspaces/status'], verbs: ['patch'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
    { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['list', 'watch'] },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['list', 'watch'] },
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list', 'watch'] },
    // At start: is Kaito's controller running (its webhook), and which status fields does the CRD keep?
    {
      apiGroups: ['admissionregistration.k8s.io'],
      resources: ['validatingwebhookconfigurations'],
      verbs: ['get'],
      resourceNames: [KAITO_WEBHOOK],
    },
    {
      apiGroups: ['apiextensions.k8s.io'],
      resources: ['customresourcedefinitions'],
      verbs: ['get'],
      resourceNames: [WORKSPACE_CRD_NAME],
    },
  ];
  if (provisioner === 'nodeclaim') {
    rules.push({
      apiGroups: ['karpenter.sh'],
      resources: ['nodeclaims'],
      verbs: ['list', 'watch', 'create', 'delete'],
    });
  }
  return rules;
}

/**
 * In the release namespace only: the leader-election Lease. `create` cannot be limited by name (the
 * object does not exist yet); reading and renewing can.
 */
export function leaseRules(leaseName: string): PolicyRule[] {
  return [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    {
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      verbs: ['get', 'update'],
      resourceNames: [leaseName],
    },
  ];
}
