/**
 * The agent's view of the cluster: one client-node informer (list, then watch from the list's
 * resourceVersion; it relists by itself after 410 Gone and reconnects when a watch ends) per kind the
 * agent reads. An informer that fails is restarted with backoff. Every event is mapped back to the
 * Workspace key it concerns: workloads by `kaito.sh/workspace` + their namespace, Nodes and NodeClaims by
 * `kaito.sh/workspace` + `kaito.sh/workspacenamespace`.
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

type Informer<T extends KubernetesObject> = k8s.Informer<T> & k8s.ObjectCache<T>;

export interface InformerEvents {
  /** A Workspace key needs a reconcile. */
  enqueue(key: string): void;
  /** A node without workspace labels changed (BYO nodes): every Workspace may care. */
  unlabelledNode(): void;
  /** An informer failed and will be restarted. */
  error(kind: string, error: unknown): void;
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
    const selector = WORKSPACE_LABEL;
    this.workspaces = k8s.makeInformer(
      kc,
      `/apis/${WORKSPACE_RESOURCE.group}/${WORKSPACE_RESOURCE.version}/${WORKSPACE_RESOURCE.plural}`,
      async () =>
        (await custom.listClusterCustomObject({
          ...WORKSPACE_RESOURCE,
        })) as k8s.KubernetesListObject<WorkspaceObject>,
    );
    this.deployments = k8s.makeInformer(
      kc,
      '/apis/apps/v1/deployments',
      () => apps.listDeploymentForAllNamespaces({ labelSelector: selector }),
      selector,
    );
    this.statefulSets = k8s.makeInformer(
      kc,
      '/apis/apps/v1/statefulsets',
      () => apps.listStatefulSetForAllNamespaces({ labelSelector: selector }),
      selector,
    );
    this.jobs = k8s.makeInformer(
      kc,
      '/apis/batch/v1/jobs',
      () => batch.listJobForAllNamespaces({ labelSelector: selector }),
      selector,
    );
    this.pods = k8s.makeInformer(
      kc,
      '/api/v1/pods',
      () => core.listPodForAllNamespaces({ labelSelector: selector }),
      selector,
    );
    this.nodes = k8s.makeInformer(kc, '/api/v1/nodes', () => core.listNode());
    this.nodeClaims = k8s.makeInformer(
      kc,
      '/apis/karpenter.sh/v1/nodeclaims',
      async () =>
        (await custom.listClusterCustomObject({
          group: 'karpenter.sh',
          version: 'v1',
          plural: 'nodeclaims',
          labelSelector: selector,
        })) as k8s.KubernetesListObject<NodeClaim>,
      selector,
    );
    this.#all = [
      ['Workspace', this.workspaces],
      ['Deployment', this.deployments],
      ['StatefulSet', this.statefulSets],
      ['Job', this.jobs],
      ['Pod', this.pods],
      ['Node', this.nodes],
      ...(options.watchNodeClaims ? [['NodeClaim', this.nodeClaims]] : []),
    ] as [string, Informer<KubernetesObject>][];

    const own = (obj: KubernetesObject): void => {
      const name = obj.metadata?.labels?.[WORKSPACE_LABEL];
      if (name !== undefined && obj.metadata?.namespace !== undefined)
        events.enqueue(namespacedKey(obj.metadata.namespace, name));
    };
    const clusterScoped = (obj: KubernetesObject): void => {
      const labels = obj.metadata?.labels ?? {};
      const name = labels[WORKSPACE_LABEL];
      const namespace = labels[WORKSPACE_NAMESPACE_LABEL];
      if (name !== undefined && namespace !== undefined) events.enqueue(namespacedKey(namespace, name));
      else events.unlabelledNode();
    };
    const workspace = (obj: KubernetesObject): void =>
      events.enqueue(namespacedKey(obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''));
    for (const verb of ['add', 'update', 'delete'] as const) {
      this.workspaces.on(verb, workspace);
      for (const informer of [
        this.deployments,
        this.statefulSets,
        this.jobs,
        this.pods,
      ] as Informer<KubernetesObject>[])
        informer.on(verb, own);
      this.nodeClaims.on(verb, (claim) => {
        const labels = claim.metadata?.labels ?? {};
        const name = labels[WORKSPACE_LABEL];
        const namespace = labels[WORKSPACE_NAMESPACE_LABEL];
        if (name !== undefined && namespace !== undefined) events.enqueue(namespacedKey(namespace, name));
      });
      this.nodes.on(verb, clusterScoped);
    }
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
    return this.workspaces
      .list()
      .map((w) => namespacedKey(w.metadata?.namespace ?? '', w.metadata?.name ?? ''));
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
    return this.nodeClaims
      .list()
      .filter(
        (c) =>
          c.metadata?.labels?.[WORKSPACE_LABEL] === name &&
          c.metadata.labels[WORKSPACE_NAMESPACE_LABEL] === namespace,
      );
  }
}
