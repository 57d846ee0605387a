/**
 * The Flux Kustomization `timeout` for the Workspaces it deploys. With `wait: true` Flux reports the
 * Kustomization failed when an object is not Current within the timeout, and models take long to start:
 * the preset's own start-up budget (the startup probe's, up to 180 minutes for the largest) plus a GPU
 * node joining and the image being pulled. The timeout covers the slowest plan, rounded up to 5 minutes,
 * at least Flux's usual 30 minutes and at most a cap (a revision waits behind a running health check
 * unless kustomize-controller runs with `CancelHealthCheckOnNewRevision`). Pure.
 */
import type { WorkspacePlan } from '../catalog/index.ts';

/** GPU node provisioning (Kaito measured ~5 min, kaito#2325) and image pull, with room to spare. */
export const NODE_AND_PULL_MINUTES = 20;
export const MIN_TIMEOUT_MINUTES = 30;
/** @default cap of {@link fluxTimeout} */
export const DEFAULT_TIMEOUT_CAP_MINUTES = 240;

export interface FluxTimeout {
  /** Go duration for `spec.timeout`, e.g. `3h20m`. */
  timeout: string;
  minutes: number;
  /** Why: the Workspace that needs the longest, or that the cap or the minimum applied. */
  reason: string;
}

/** `200` → `3h20m`, `30` → `30m`, `240` → `4h`. */
export function goDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `${hours > 0 ? `${hours}h` : ''}${rest > 0 || hours === 0 ? `${rest}m` : ''}`;
}

export function fluxTimeout(
  plans: readonly WorkspacePlan[],
  capMinutes: number = DEFAULT_TIMEOUT_CAP_MINUTES,
): FluxTimeout {
  let slowest: WorkspacePlan | undefined;
  for (const plan of plans) {
    if (slowest === undefined || plan.readinessTimeoutSeconds > slowest.readinessTimeoutSeconds)
      slowest = plan;
  }
  const result = (minutes: number, reason: string): FluxTimeout => ({
    timeout: goDuration(minutes),
    minutes,
    reason,
  });
  if (slowest === undefined) return result(MIN_TIMEOUT_MINUTES, 'no Workspaces: the minimum');
  const startMinutes = Math.ceil(slowest.readinessTimeoutSeconds / 60);
  const needed = Math.ceil((startMinutes + NODE_AND_PULL_MINUTES) / 5) * 5;
  const name = `${slowest.workspace.namespace}/${slowest.workspace.name}`;
  const why = `${name} may take ${startMinutes} min to start, plus ${NODE_AND_PULL_MINUTES} min for a GPU node and the image`;
  if (needed > capMinutes) return result(capMinutes, `${why}; capped at ${goDuration(capMinutes)}`);
  if (needed < MIN_TIMEOUT_MINUTES)
    return result(MIN_TIMEOUT_MINUTES, `${why}; at least ${MIN_TIMEOUT_MINUTES} min`);
  return result(needed, why);
}
