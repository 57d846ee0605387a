/**
 * A Workspace being deleted: `WorkspaceDeleting=True`, the provisioner releases its nodes, and only
 * when nothing is left is the finalizer removed. A provider that errors never leaves the Workspace
 * silently stuck Terminating (kaito#1899): the condition says what deletion waits for and why, and the
 * release is retried with backoff.
 */
import type { ReconcileDeps } from './reconcile.ts';
import type { ReconcileResult } from './work-queue.ts';
import type { WorkspaceObject } from './workspace-object.ts';
import { deletingStatus } from './workspace-status.ts';

export async function reconcileDeletion(
  object: WorkspaceObject,
  deps: ReconcileDeps,
): Promise<ReconcileResult> {
  const finalizers = object.metadata?.finalizers ?? [];
  const mine = deps.ownership.releases;
  if (!finalizers.some((f) => mine.includes(f))) return {};
  const namespace = object.metadata?.namespace ?? '';
  const name = object.metadata?.name ?? '';
  const generation = object.metadata?.generation ?? 0;
  const kind = deps.provisioner.kind;
  let released: boolean;
  try {
    released = await deps.provisioner.release({ namespace, name });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const status = deletingStatus(
      object.status,
      generation,
      `the ${kind} provisioner to release the nodes, which failed: ${why}`,
      deps.now(),
    );
    await deps.workspaces.writeStatus(object, status);
    throw error;
  }
  if (!released) {
    const status = deletingStatus(
      object.status,
      generation,
      `the nodes of the ${kind} provisioner to be released`,
      deps.now(),
    );
    await deps.workspaces.writeStatus(object, status);
    return { requeueAfterMs: deps.notReadyRequeueMs ?? 10_000 };
  }
  await deps.workspaces.setFinalizers(
    object,
    finalizers.filter((f) => !mine.includes(f)),
  );
  return {};
}
