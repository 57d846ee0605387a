/**
 * The agent's view of the cluster: one informer per kind the agent reads (trimmed-informer.ts: caches
 * hold only the fields the agent reads). An informer that fails is restarted with backoff. Every event
 * is mapped back to the Workspace key it concerns: workloads by `kaito.sh/workspace` + their namespace,
 * Nodes and NodeClaims by `kaito.sh/workspace` + `kaito.sh/workspacenamespace`.
 */
import * as k8s from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  WORKSPACE_LABEL,
  WORKSPACE_NAMESPACE_LABEL,
  WORKSPACE_RESOURCE,
  namespacedKey,
} from '../../api/index.ts';
import type { NodeClaim } from '../provisioners/index.ts';
import type { WorkloadObjects } from '../observe-workload.ts';
import type { WorkspaceObject } from '../workspace-object.ts';
import { SHAPES, project, trimWorkspace, type Shape } from './cache-shapes.ts';
import { trimmedInformer, type Informer, type ListPage } from './trimmed-informer.ts';

export interface InformerEvents {
  /** A Workspace key needs a reconcile. */
  enqueue(key: string): void;
  /** A node without workspace labels changed (BYO nodes): every Workspace may care. */
  unlabelledNode(): void;
  /** An informer failed and will be restarted. */
  error(kind: string, error: unknown): void;
}

const NODECLAIMS = { group: 'karpenter.sh', version: 'v1', plural: 'nodeclaims' } as const;

/** The Workspace a namespaced object belongs to: its `kaito.sh/workspace` label, in its namespace. */
export function ownerKey(object: KubernetesObject): string | undefined {
  const name = object.metadata?.labels?.[WORKSPACE_LABEL];
  const namespace = object.metadata?.namespace;
  return name !== undefined && namespace !== undefined ? namespacedKey(namespace, name) : undefined;
}

/** The Workspace a cluster-scoped object (Node, NodeClaim) belongs to, from its two labels. */
export function clusterScopedOwnerKey(object: KubernetesObject): string | undefined {
  const labels = object.metadata?.labels ?? {};
  const name = labels[WORKSPACE_LABEL];
  const namespace = labels[WORKSPACE_NAMESPACE_LABEL];
  return name !== undefined && namespace !== undefined ? namespacedKey(namespace, name) : undefined;
}

function workspaceKey(object: KubernetesObject): string {
  return namespacedKey(object.metadata?.namespace ?? '', object.metadata?.name ?? '');
}

export class ClusterInformers {
  readonly workspaces: Informer<WorkspaceObject>;
  readonly deployments: Informer<k8s.V1Deployment>;
  readonly statefulSets: Informer<k8s.V1StatefulSet>;
  readonly jobs: Informer<k8s.V1Job>;
  readonly pods: Informer<k8s.V1Pod>;
  readonly nodes: Informer<k8s.V1Node>;
  readonly nodeClaims: Informer<NodeClaim>;
  readonly #all: [string, Informer<KubernetesObject>][];
  readonly #events: InformerEvents;
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;
  /** Kinds whose informer failed and has not listed again since. */
  readonly #failing = new Set<string>();

  /**
   * `watchNodeClaims` only for the nodeclaim provisioner: other clusters may not serve the Karpenter CRD
   * at all (and the agent's RBAC grants NodeClaims only to that provisioner).
   */
  constructor(kc: k8s.KubeConfig, events: InformerEvents, options: { watchNodeClaims: boolean }) {
    this.#events = events;
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const batch = kc.makeApiClient(k8s.BatchV1Api);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const labelSelector = WORKSPACE_LABEL;
    const shaped =
      <T extends KubernetesObject>(shape: Shape) =>
      (object: unknown): T =>
        project(object, shape) as T;
    const page = { labelSelector } as const;

    this.workspaces = trimmedInformer(kc, {
      path: `/apis/${WORKSPACE_RESOURCE.group}/${WORKSPACE_RESOURCE.version}/${WORKSPACE_RESOURCE.plural}`,
      listPage: async (limit, token) =>
        (await custom.listClusterCustomObject({
          ...WORKSPACE_RESOURCE,
          limit,
          ...(token !== undefined ? { _continue: token } : {}),
        })) as ListPage,
      trim: (object) => trimWorkspace(object as WorkspaceObject),
    });
    this.deployments = trimmedInformer(kc, {
      path: '/apis/apps/v1/deployments',
      listPage: (limit, _continue) => apps.listDeploymentForAllNamespaces({ ...page, limit, _continue }),
      trim: shaped(SHAPES.Deployment),
      labelSelector,
    });
    this.statefulSets = trimmedInformer(kc, {
      path: '/apis/apps/v1/statefulsets',
      listPage: (limit, _continue) => apps.listStatefulSetForAllNamespaces({ ...page, limit, _continue }),
      trim: shaped(SHAPES.StatefulSet),
      labelSelector,
    });
    this.jobs = trimmedInformer(kc, {
      path: '/apis/batch/v1/jobs',
      listPage: (limit, _continue) => batch.listJobForAllNamespaces({ ...page, limit, _continue }),
      trim: shaped(SHAPES.Job),
      labelSelector,
    });
    this.pods = trimmedInformer(kc, {
      path: '/api/v1/pods',
      listPage: (limit, _continue) => core.listPodForAllNamespaces({ ...page, limit, _continue }),
      trim: shaped(SHAPES.Pod),
      labelSelector,
    });
    this.nodes = trimmedInformer(kc, {
      path: '/api/v1/nodes',
      listPage: (limit, _continue) => core.listNode({ limit, _continue }),
      trim: shaped(SHAPES.Node),
    });
    this.nodeClaims = trimmedInformer(kc, {
      path: `/apis/${NODECLAIMS.group}/${NODECLAIMS.version}/${NODECLAIMS.plural}`,
      listPage: async (limit, token) =>
        (await custom.listClusterCustomObject({
          ...NODECLAIMS,
          ...page,
          limit,
          ...(token !== undefined ? { _continue: token } : {}),
        })) as ListPage,
      trim: shaped(SHAPES.NodeClaim),
      labelSelector,
    });
    this.#all = [
      ['Workspace', this.workspaces],
      ['Deployment', this.deployments],
      ['StatefulSet', this.statefulSets],
      ['Job', this.jobs],
      ['Pod', this.pods],
      ['Node', this.nodes],
      ...(options.watchNodeClaims ? [['NodeClaim', this.nodeClaims]] : []),
    ] as [string, Informer<KubernetesObject>][];
    this.#routeEvents(events);
    this.#restartOnError(events);
  }

  /** Every add, update and delete becomes the key of the Workspace it concerns. */
  #routeEvents(events: InformerEvents): void {
    const enqueueOwner = (owner: string | undefined): void => {
      if (owner !== undefined) events.enqueue(owner);
    };
    const workloads = [
      this.deployments,
      this.statefulSets,
      this.jobs,
      this.pods,
    ] as Informer<KubernetesObject>[];
    for (const verb of ['add', 'update', 'delete'] as const) {
      this.workspaces.on(verb, (object) => events.enqueue(workspaceKey(object)));
      for (const informer of workloads) informer.on(verb, (object) => enqueueOwner(ownerKey(object)));
      this.nodeClaims.on(verb, (claim) => enqueueOwner(clusterScopedOwnerKey(claim)));
      this.nodes.on(verb, (node) => {
        const owner = clusterScopedOwnerKey(node);
        if (owner !== undefined) events.enqueue(owner);
        else events.unlabelledNode();
      });
    }
  }

  #restartOnError(events: InformerEvents): void {
    for (const [kind, informer] of this.#all) {
      informer.on('error', (error: unknown) => {
        if (this.#stopped) return; // stop() aborts the watches: not a failure
        events.error(kind, error);
        this.#failing.add(kind);
        this.#restart(kind, informer, 1);
      });
    }
  }

  /** Lists every kind and starts watching; resolves when every cache holds its first list. */
  async start(): Promise<void> {
    this.#stopped = false;
    await Promise.all(this.#all.map(([, informer]) => informer.start()));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(this.#all.map(([, informer]) => informer.stop()));
  }

  /** Kinds whose cache is not in step with the cluster now (their watch failed, no relist since). */
  failing(): string[] {
    return [...this.#failing].sort();
  }

  #restart(kind: string, informer: Informer<KubernetesObject>, attempt: number): void {
    if (this.#stopped) return;
    const delay = Math.min(30_000, 200 * 2 ** (attempt - 1)) * (0.8 + 0.4 * Math.random());
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopped) return;
      informer.start().then(
        () => this.#failing.delete(kind),
        (error: unknown) => {
          this.#events.error(kind, error);
          this.#restart(kind, informer, attempt + 1);
        },
      );
    }, delay);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Workspace keys in the cache. */
  workspaceKeys(): string[] {
    return this.workspaces.list().map(workspaceKey);
  }

  workloads(namespace: string, name: string): WorkloadObjects {
    const mine = <T extends KubernetesObject>(informer: Informer<T>): T[] =>
      informer.list(namespace).filter((o) => o.metadata?.labels?.[WORKSPACE_LABEL] === name);
    return {
      deployments: mine(this.deployments),
      statefulSets: mine(this.statefulSets),
      jobs: mine(this.jobs),
      pods: mine(this.pods),
    };
  }

  claimsFor(namespace: string, name: string): NodeClaim[] {
    const key = namespacedKey(namespace, name);
    return this.nodeClaims.list().filter((claim) => clusterScopedOwnerKey(claim) === key);
  }
}
