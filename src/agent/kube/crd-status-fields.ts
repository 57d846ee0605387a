/**
 * Which top-level status fields the installed Workspace CRD keeps, read from its schema for the version
 * the agent writes: Kaito v0.12's has no `observedGeneration`, so a status write carrying it is pruned
 * and comparing with it would look like a change at every reconcile. Undefined when the CRD could not be
 * read or keeps unknown fields (nothing is known to be dropped).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { WORKSPACE_STORAGE_VERSION } from '../../api/index.ts';

interface CrdVersion {
  name?: string;
  schema?: {
    openAPIV3Schema?: {
      properties?: {
        status?: { properties?: Record<string, unknown>; 'x-kubernetes-preserve-unknown-fields'?: boolean };
      };
    };
  };
}

export function keptStatusFields(crd: KubernetesObject | undefined): ReadonlySet<string> | undefined {
  const versions = (crd as { spec?: { versions?: CrdVersion[] } } | undefined)?.spec?.versions ?? [];
  const status = versions.find((v) => v.name === WORKSPACE_STORAGE_VERSION)?.schema?.openAPIV3Schema
    ?.properties?.status;
  if (status?.properties === undefined || status['x-kubernetes-preserve-unknown-fields'] === true)
    return undefined;
  return new Set(Object.keys(status.properties));
}
