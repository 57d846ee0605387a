/**
 * Which Workspaces this agent manages, and with which finalizer. Alone in a cluster it manages every
 * Workspace with Kaito's finalizer, so it takes over Workspaces Kaito created (and Kaito would recognise
 * ours). Coexisting with Kaito's controller (`--coexist`), it manages only the Workspaces kaito-gitops
 * rendered (labelled `app.kubernetes.io/managed-by: kaito-gitops`) and holds them with a finalizer of
 * its own, so neither controller removes the other's finalizer or releases the other's nodes. Pure.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../api/index.ts';

/** Kaito's Workspace finalizer (v0.12 `workspace.finalizer.kaito.sh`). */
export const KAITO_FINALIZER = 'workspace.finalizer.kaito.sh';
/** This agent's finalizer when it coexists with Kaito's controller. */
export const COEXIST_FINALIZER = 'gitops.kaito.sh/finalizer';

export interface Ownership {
  /** Whether this agent reconciles `object` at all. */
  manages(object: KubernetesObject): boolean;
  /** The finalizer it holds its Workspaces with. */
  finalizer: string;
  /**
   * The finalizers it removes once a deleted Workspace's nodes are released: its own, and alone in the
   * cluster also the one an earlier `--coexist` run added (else the Workspace would hang Terminating).
   */
  releases: readonly string[];
}

export function ownership(coexist: boolean): Ownership {
  if (!coexist) {
    return {
      manages: () => true,
      finalizer: KAITO_FINALIZER,
      releases: [KAITO_FINALIZER, COEXIST_FINALIZER],
    };
  }
  return {
    manages: (object) => object.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY,
    finalizer: COEXIST_FINALIZER,
    releases: [COEXIST_FINALIZER],
  };
}
