/**
 * Writes to the API server: the Workspace's finalizers (merge patch guarded by resourceVersion) and its
 * status (merge patch on the `/status` subresource, content type set explicitly: without
 * `setHeaderOptions` client-node sends a JSON patch), and NodeClaim create/delete. Reads come from the
 * informer caches. A status equal to what is stored, or to what this agent just wrote for the same
 * resourceVersion while the cache catches up, is not written: steady state costs zero writes. "What is
 * stored" is what the server keeps: status fields the installed CRD prunes (Kaito's CRD has no
 * `observedGeneration`) are known from its schema at start, or learned from the response to a write,
 * and left out of the comparison until a stored object carries them again (our CRD applied over Kaito's).
 */
import * as k8s from '@kubernetes/client-node';
import type { NodeClaim, NodeClaimStore } from '../provisioners/index.ts';
import type { WorkspaceAccess } from '../reconcile.ts';
import { WORKSPACE_RESOURCE, namespacedKey } from '../../api/index.ts';
import type { WorkspaceObject } from '../workspace-object.ts';
import type { WorkspaceStatus } from '../workspace-status.ts';
import { statusChanged } from '../status-changed.ts';
import { apiFailure, statusCode } from './api-errors.ts';
import type { ClusterInformers } from './informers.ts';

const MERGE_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
/** The status fields this agent writes. */
const WRITTEN_FIELDS: readonly (keyof WorkspaceStatus)[] = [
  'conditions',
  'observedGeneration',
  'workerNodes',
  'targetNodeCount',
  'state',
];
const NODECLAIMS = { group: 'karpenter.sh', version: 'v1', plural: 'nodeclaims' } as const;

export class KubeWorkspaceAccess implements WorkspaceAccess {
  readonly #api: k8s.CustomObjectsApi;
  readonly #informers: ClusterInformers;
  readonly #written = new Map<string, { resourceVersion: string; status: WorkspaceStatus }>();
  /** Top-level status fields the server dropped from our last write. */
  readonly #dropped = new Set<string>();
  readonly #onWrite: () => void;

  /**
   * `keptFields`: the status fields the installed CRD keeps (crd-status-fields.ts), when known; the
   * others are known to be dropped before the first write.
   */
  constructor(
    kc: k8s.KubeConfig,
    informers: ClusterInformers,
    onWrite: () => void = () => undefined,
    keptFields?: ReadonlySet<string>,
  ) {
    this.#api = kc.makeApiClient(k8s.CustomObjectsApi);
    this.#informers = informers;
    this.#onWrite = onWrite;
    for (const field of WRITTEN_FIELDS)
      if (keptFields !== undefined && !keptFields.has(field)) this.#dropped.add(field);
  }

  get(namespace: string, name: string): WorkspaceObject | undefined {
    return this.#informers.workspaces.get(name, namespace);
  }

  async setFinalizers(object: WorkspaceObject, finalizers: string[]): Promise<void> {
    const { namespace = '', name = '', resourceVersion } = object.metadata ?? {};
    try {
      await this.#api.patchNamespacedCustomObject(
        { ...WORKSPACE_RESOURCE, namespace, name, body: { metadata: { finalizers, resourceVersion } } },
        MERGE_PATCH,
      );
    } catch (error) {
      if (statusCode(error) === 404) return;
      throw apiFailure(`setting the finalizers of Workspace ${namespace}/${name}`, error);
    }
  }

  async writeStatus(object: WorkspaceObject, status: WorkspaceStatus): Promise<boolean> {
    const { namespace = '', name = '', resourceVersion = '' } = object.metadata ?? {};
    const key = namespacedKey(namespace, name);
    for (const field of this.#dropped)
      if (object.status !== undefined && field in object.status) this.#dropped.delete(field);
    if (!statusChanged(object.status, status, this.#dropped)) return false;
    const last = this.#written.get(key);
    if (last !== undefined && last.resourceVersion === resourceVersion && !statusChanged(last.status, status))
      return false;
    try {
      const stored = (await this.#api.patchNamespacedCustomObjectStatus(
        { ...WORKSPACE_RESOURCE, namespace, name, body: { status } },
        MERGE_PATCH,
      )) as { status?: Record<string, unknown> };
      for (const field of Object.keys(status)) {
        if (stored.status !== undefined && !(field in stored.status)) this.#dropped.add(field);
      }
    } catch (error) {
      if (statusCode(error) === 404) return false;
      throw apiFailure(`writing the status of Workspace ${namespace}/${name}`, error);
    }
    this.#written.set(key, { resourceVersion, status });
    this.#onWrite();
    return true;
  }

  /** Forgets what was written for keys no longer in the cache (bounded memory). */
  prune(keys: ReadonlySet<string>): void {
    for (const key of this.#written.keys()) if (!keys.has(key)) this.#written.delete(key);
  }
}

export class KubeNodeClaimStore implements NodeClaimStore {
  readonly #api: k8s.CustomObjectsApi;
  readonly #informers: ClusterInformers;

  constructor(kc: k8s.KubeConfig, informers: ClusterInformers) {
    this.#api = kc.makeApiClient(k8s.CustomObjectsApi);
    this.#informers = informers;
  }

  list(namespace: string, name: string): readonly NodeClaim[] {
    return this.#informers.claimsFor(namespace, name);
  }

  async create(claim: NodeClaim): Promise<void> {
    try {
      await this.#api.createClusterCustomObject({ ...NODECLAIMS, body: claim });
    } catch (error) {
      if (statusCode(error) === 409) return;
      throw apiFailure(`creating NodeClaim ${claim.metadata?.name ?? ''}`, error);
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.#api.deleteClusterCustomObject({ ...NODECLAIMS, name });
    } catch (error) {
      if (statusCode(error) === 404) return;
      throw apiFailure(`deleting NodeClaim ${name}`, error);
    }
  }
}
