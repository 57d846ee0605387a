/**
 * One reconcile of one Workspace: read it from the cache → validate + plan (problems → Stalled) →
 * finalizer → provisioner `provision` + `status` → observe the workload → compute the status → at most
 * ONE status write, only when it changed. Never waits: what is waited on (a referenced ConfigMap, or
 * anything a provisioner reports with a NotReadyError) is written as `Reconciling` and requeued; a
 * TransientError is thrown (after the status says so) for the queue's backoff. Deletion lives in
 * reconcile-deletion.ts.
 */
import { NotReadyError, TransientError } from '../errors.ts';
import { findCondition, splitNamespacedKey, type ConfigMapObject } from '../api/index.ts';
import type { Catalog } from '../catalog/index.ts';
import type { NodeProvisioner, NodeStatus } from './node-provisioner.ts';
import { observeInference, observeTuning } from './observe-workload.ts';
import { withBringYourOwnNodesHint } from './pod-failure.ts';
import type { WorkloadObjects } from './observe-workload.ts';
import { reconcileDeletion } from './reconcile-deletion.ts';
import type { ReconcileResult } from './work-queue.ts';
import type { Ownership } from './ownership.ts';
import { nodeRequest, planWorkspace, referencedConfigMaps } from './workspace-object.ts';
import type { WorkspaceObject } from './workspace-object.ts';
import { computeStatus } from './workspace-status.ts';
import type { WorkspaceStatus } from './workspace-status.ts';

/** Reads from informer caches, writes to the API server. */
export interface WorkspaceAccess {
  get(namespace: string, name: string): WorkspaceObject | undefined;
  /** Sets `metadata.finalizers`, guarded by the object's resourceVersion (409 → TransientError). */
  setFinalizers(object: WorkspaceObject, finalizers: string[]): Promise<void>;
  /**
   * Writes the status through the `/status` subresource, unless `status` equals what is stored (or
   * what this agent last wrote for this resourceVersion). Returns whether a write was sent.
   */
  writeStatus(object: WorkspaceObject, status: WorkspaceStatus): Promise<boolean>;
}

export interface ReconcileDeps {
  workspaces: WorkspaceAccess;
  /** The workload objects labelled for the Workspace, from the caches. */
  workloads(namespace: string, name: string): WorkloadObjects;
  provisioner: NodeProvisioner;
  /** A ConfigMap from the cluster; undefined when it does not exist (API failures throw TransientError). */
  configMap(namespace: string, name: string): Promise<ConfigMapObject | undefined>;
  catalog: Catalog;
  /** Which Workspaces this agent manages, and its finalizer (ownership.ts). */
  ownership: Ownership;
  now(): Date;
  /** How soon to look again while something is on its way. @default 10000 */
  notReadyRequeueMs?: number;
}

export async function reconcileWorkspace(key: string, deps: ReconcileDeps): Promise<ReconcileResult> {
  const { namespace, name } = splitNamespacedKey(key);
  const object = deps.workspaces.get(namespace, name);
  if (object === undefined || !deps.ownership.manages(object)) return {};
  if (object.metadata?.deletionTimestamp !== undefined && object.metadata.deletionTimestamp !== null) {
    return reconcileDeletion(object, deps);
  }
  const finalizers = object.metadata?.finalizers ?? [];
  if (!finalizers.includes(deps.ownership.finalizer)) {
    await deps.workspaces.setFinalizers(object, [...finalizers, deps.ownership.finalizer]);
  }

  const generation = object.metadata?.generation ?? 0;
  let configMaps: ConfigMapObject[];
  try {
    configMaps = await readConfigMaps(object, deps);
  } catch (error) {
    if (!(error instanceof NotReadyError)) throw error;
    return waitFor(object, deps.workloads(namespace, name), deps, error);
  }
  const outcome = planWorkspace(object, deps.catalog, configMaps);
  const objects = deps.workloads(namespace, name);
  const kind = outcome.ok ? (outcome.plan.workload === 'tuning' ? 'tuning' : 'inference') : outcome.kind;
  const observed = kind === 'tuning' ? observeTuning(objects) : observeInference(objects);
  const workload =
    deps.provisioner.kind === 'byo' && observed.podFailure !== undefined
      ? { ...observed, podFailure: withBringYourOwnNodesHint(observed.podFailure) }
      : observed;

  let nodes: NodeStatus | undefined;
  let reconcileError: TransientError | undefined;
  if (outcome.ok) {
    const request = nodeRequest(outcome.plan, deps.provisioner.kind);
    try {
      await deps.provisioner.provision(request);
      nodes = await deps.provisioner.status(request);
    } catch (error) {
      if (error instanceof NotReadyError) return waitFor(object, objects, deps, error);
      if (!(error instanceof TransientError)) throw error;
      reconcileError = error;
    }
  }
  const status = computeStatus(
    {
      ...(outcome.ok ? {} : { specProblems: outcome.problems }),
      workload,
      ...(nodes !== undefined ? { nodes } : {}),
      targetNodeCount: outcome.ok ? outcome.plan.nodes : (object.status?.targetNodeCount ?? 0),
      ...(reconcileError !== undefined ? { reconcileError: reconcileError.message } : {}),
      ...(object.status !== undefined ? { previous: object.status } : {}),
    },
    generation,
    deps.now(),
  );
  await deps.workspaces.writeStatus(object, status);
  if (reconcileError !== undefined) throw reconcileError;

  const settled =
    findCondition(status.conditions, 'Ready')?.status === 'True' ||
    findCondition(status.conditions, 'Stalled')?.status === 'True';
  return settled ? {} : { requeueAfterMs: deps.notReadyRequeueMs ?? 10_000 };
}

/**
 * The ConfigMaps the Workspace references. One that is not there yet is usually applied in the same
 * sync as the Workspace: a NotReadyError (Reconciling), not a spec problem (Stalled would fail Flux).
 */
async function readConfigMaps(object: WorkspaceObject, deps: ReconcileDeps): Promise<ConfigMapObject[]> {
  const namespace = object.metadata?.namespace ?? '';
  const configMaps: ConfigMapObject[] = [];
  for (const ref of referencedConfigMaps(object)) {
    const found = await deps.configMap(namespace, ref.name);
    if (found === undefined) {
      throw new NotReadyError(
        `ConfigMap '${ref.name}' (${ref.field}) is not in namespace '${namespace}' yet`,
        (deps.notReadyRequeueMs ?? 10_000) / 1000,
      );
    }
    configMaps.push(found);
  }
  return configMaps;
}

/** Something the Workspace needs is on its way: say so in the status and look again when it asks. */
async function waitFor(
  object: WorkspaceObject,
  objects: WorkloadObjects,
  deps: ReconcileDeps,
  waiting: NotReadyError,
): Promise<ReconcileResult> {
  const tuning = object.tuning !== undefined && object.tuning !== null;
  const status = computeStatus(
    {
      workload: tuning ? observeTuning(objects) : observeInference(objects),
      targetNodeCount: object.status?.targetNodeCount ?? 0,
      reconcileError: waiting.message,
      ...(object.status !== undefined ? { previous: object.status } : {}),
    },
    object.metadata?.generation ?? 0,
    deps.now(),
  );
  await deps.workspaces.writeStatus(object, status);
  return { requeueAfterMs: waiting.retryAfterSeconds * 1000 };
}
