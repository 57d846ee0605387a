/**
 * What the agent keeps of each object it watches. An informer caches every object of its kind for as
 * long as the agent runs, and what the API server sends is mostly what the agent never reads:
 * managedFields, `kubectl.kubernetes.io/last-applied-configuration`, pod specs, a node's image list and
 * node info. Each kind's shape below lists the fields the agent reads (node-readiness.ts,
 * pod-failure.ts, observe-workload.ts, the provisioners); everything else is dropped as objects arrive,
 * from lists and watches alike. A field the agent starts reading must be added here (the agent's
 * integration tests run through these caches and notice one that is missing). Pure.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * `true` keeps a value as it is; an object keeps the named fields of an object (projected in turn); a
 * one-element list projects every item of a list.
 */
export type Shape = true | { readonly [field: string]: Shape } | readonly [Shape];

export function project(value: unknown, shape: Shape): unknown {
  if (shape === true || value === null || value === undefined) return value;
  if (isList(shape)) return Array.isArray(value) ? value.map((item) => project(item, shape[0])) : undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const kept: Record<string, unknown> = {};
  for (const [field, inner] of Object.entries(shape)) {
    const v = (value as Record<string, unknown>)[field];
    if (v !== undefined) kept[field] = project(v, inner);
  }
  return kept;
}

function isList(shape: Shape): shape is readonly [Shape] {
  return Array.isArray(shape);
}

/** What every kind keeps of its metadata: identity, the labels events are routed by, deletion state. */
const METADATA = {
  name: true,
  namespace: true,
  uid: true,
  resourceVersion: true,
  generation: true,
  creationTimestamp: true,
  labels: true,
  deletionTimestamp: true,
  finalizers: true,
} as const;
const CONDITIONS = [{ type: true, status: true, reason: true, message: true }] as const;
const CONTAINER_STATUSES = [{ name: true, ready: true, image: true, state: true, lastState: true }] as const;
const WORKLOAD = {
  metadata: METADATA,
  spec: { replicas: true },
  status: { replicas: true, readyReplicas: true },
} as const;

/** The shape of each cached kind but Workspace (see {@link trimWorkspace}). */
export const SHAPES = {
  Deployment: WORKLOAD,
  StatefulSet: WORKLOAD,
  Job: {
    metadata: METADATA,
    spec: { parallelism: true },
    status: { active: true, ready: true, succeeded: true, failed: true, conditions: CONDITIONS },
  },
  Pod: {
    metadata: METADATA,
    status: {
      phase: true,
      reason: true,
      message: true,
      conditions: CONDITIONS,
      containerStatuses: CONTAINER_STATUSES,
      initContainerStatuses: CONTAINER_STATUSES,
    },
  },
  Node: { metadata: METADATA, status: { conditions: CONDITIONS, capacity: true } },
  NodeClaim: { metadata: METADATA, status: { conditions: CONDITIONS, nodeName: true } },
} as const satisfies Record<string, Shape>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A Workspace keeps everything but managedFields and kubectl's last-applied copy of itself: the agent
 * validates and plans the whole spec, and writes its status from the previous one.
 */
export function trimWorkspace<T extends KubernetesObject>(object: T): T {
  const { managedFields: _managed, annotations, ...metadata } = object.metadata ?? {};
  const { [LAST_APPLIED]: _lastApplied, ...kept } = annotations ?? {};
  return {
    ...object,
    metadata: { ...metadata, ...(annotations !== undefined ? { annotations: kept } : {}) },
  };
}
