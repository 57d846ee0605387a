/**
 * Which Workspaces this agent manages, and with which finalizer. Alone in a cluster it manages every
 * Workspace with Kaito's finalizer, so it takes over Workspaces Kaito created (and Kaito would recognise
 * ours). Coexisting with Kaito's controller (`--coexist`), it manages only the Workspaces kaito-gitops
 * rendered (labelled `app.kubernetes.io/managed-by: kaito-gitops`) and holds them with a finalizer of
 * its own, so neither controller removes the other's finalizer or releases the other's nodes. Pure.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

/** Kaito's Workspace finalizer (v0.12 `workspace.finalizer.kaito.sh`). */
export const KAITO_FINALIZER = 'workspace.finalizer.kaito.sh';
/** This agent's finalizer when it coexists with Kaito's controller. */
export const COEXIST_FINALIZER = 'gitops.kaito.sh/finalizer';
/** The label kaito-gitops' render puts on every object it generates, the Workspace included. */
export const MANAGED_BY = { key: 'app.kubernetes.io/managed-by', value: 'kaito-gitops' } as const;

export interface Ownership {
  /** Whether this agent reconciles `object` at all. */
  manages(object: KubernetesObject): boolean;
  /** The finalizer it holds its Workspaces with. */
  finalizer: string;
}

export function ownership(coexist: boolean): Ownership {
  if (!coexist) return { manages: () => true, finalizer: KAITO_FINALIZER };
  return {
    manages: (object) => object.metadata?.labels?.[MANAGED_BY.key] === MANAGED_BY.value,
    finalizer: COEXIST_FINALIZER,
  };
}
