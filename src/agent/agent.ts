/**
 * The running agent: a look for Kaito's own controller (refuse to start beside it unless coexisting),
 * health server, leader election and, while leading, the informers, the work queue and a periodic
 * resync. Only the leader reconciles; a replica that loses the Lease stops its caches and queue and goes
 * back to standing by. `/readyz` fails while the API server has not answered for the renew deadline, and
 * on the leader while its caches are not synced. Configuration arrives parsed (src/cli/agent.ts).
 */
import * as k8s from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { splitNamespacedKey, type ConfigMapObject } from '../api/index.ts';
import type { Catalog } from '../catalog/index.ts';
import { RemoteRefusedError } from '../errors.ts';
import {
  errorText,
  startProbeServer,
  type Logger,
  type ProbeServer,
  type Readiness,
} from '../observe/index.ts';
import { detectKaito, otherAgents, refusalMessage } from './kaito-detection.ts';
import { ApiReachability } from './kube/api-reachability.ts';
import { keptStatusFields } from './kube/crd-status-fields.ts';
import type { LiveStatusOptions, LiveStatusPublisher } from '../report/index.ts';
import { ClusterInformers } from './kube/informers.ts';
import { readKaitoObjects } from './kube/kaito-objects.ts';
import { LeaderElector } from './kube/leader-election.ts';
import { apiFailure, statusCode } from './kube/api-errors.ts';
import { KubeNodeClaimStore, KubeWorkspaceAccess } from './kube/workspace-client.ts';
import { liveStateOf } from './live-state.ts';
import type { WorkspaceObject } from './workspace-object.ts';
import { AgentMetrics } from './metrics.ts';
import type { ProvisionerKind } from './node-provisioner.ts';
import { createNodeProvisioner, type ProvisionerDeps } from './provisioners/index.ts';
import { ownership } from './ownership.ts';
import { reconcileWorkspace } from './reconcile.ts';
import { WorkQueue } from './work-queue.ts';

export interface AgentConfig {
  provisioner: ProvisionerKind;
  /** aks only: where the agent pools go and the ARM client that writes them. */
  aks?: ProvisionerDeps['aks'];
  catalog: Catalog;
  /** Metrics/health listen address; port 0 picks one. */
  metrics: { host: string; port: number };
  lease: {
    namespace: string;
    name: string;
    identity: string;
    /** @default 15000 */
    durationMs?: number;
    /** @default 10000 */
    renewDeadlineMs?: number;
    /** @default 2000 */
    retryPeriodMs?: number;
  };
  /** Every Workspace is reconciled again this often. @default 300000 */
  resyncMs?: number;
  /** Look again this soon while a Workspace is on its way. @default 10000 */
  notReadyRequeueMs?: number;
  /** @default 4 */
  concurrency?: number;
  /** First retry after an error. @default 500 */
  baseRetryMs?: number;
  /**
   * Run beside Kaito's own controller: manage only Workspaces rendered by kaito-gitops, with a finalizer
   * of our own (ownership.ts). Without it the agent refuses to start while Kaito's controller runs.
   * @default false
   */
  coexist?: boolean;
  /**
   * Live status after merge: commit statuses per Workspace on its source commit and the status table in
   * the pull request's comment, written by the leader beside reconciliation. @default off
   */
  liveStatus?: Omit<LiveStatusOptions, 'logger'>;
}

export interface RunningAgent {
  readonly metrics: AgentMetrics;
  readonly healthPort: number;
  isLeader(): boolean;
  /** Resolves when every Workspace key queued so far has been reconciled (for tests and the benchmark). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** The leader's machinery; built on each election win, torn down when leadership ends. */
class LeaderWork {
  readonly informers: ClusterInformers;
  readonly queue: WorkQueue;
  readonly #workspaces: KubeWorkspaceAccess;
  readonly #live: LiveStatusPublisher | undefined;
  #resync: NodeJS.Timeout | undefined;
  synced = false;

  constructor(
    kc: k8s.KubeConfig,
    config: AgentConfig,
    metrics: AgentMetrics,
    log: Logger,
    keptFields: ReadonlySet<string> | undefined,
    publisher: typeof LiveStatusPublisher | undefined,
  ) {
    const enqueueAll = (): void => {
      for (const key of this.informers.workspaceKeys()) this.queue.add(key);
    };
    // Nothing is reconciled before every cache holds its first list: a Workspace seen before the nodes
    // are would be judged on an empty node cache (NotReady, then Ready again, written twice).
    this.informers = new ClusterInformers(
      kc,
      {
        enqueue: (key) => {
          if (this.synced) this.queue.add(key);
        },
        unlabelledNode: () => {
          if (config.provisioner === 'byo' && this.synced) enqueueAll();
        },
        error: (kind, error) => {
          metrics.countInformerError();
          log.log('error', 'watch failed; restarting it', { kind, error: String(error) });
        },
      },
      { watchNodeClaims: config.provisioner === 'nodeclaim' },
    );
    this.#workspaces = new KubeWorkspaceAccess(
      kc,
      this.informers,
      () => metrics.countStatusWrite(),
      keptFields,
    );
    this.#live = config.liveStatus && publisher && new publisher({ ...config.liveStatus, logger: log });
    if (this.#live !== undefined) {
      // Fed from the Workspace watch, not from reconcile: observe() only records, so a slow or failing
      // code host never holds up provisioning or the status write-back.
      const live = this.#live;
      const observe = (object: WorkspaceObject): void => {
        const state = liveStateOf(object);
        if (state !== undefined) live.observe(state);
      };
      this.informers.workspaces.on('add', observe);
      this.informers.workspaces.on('update', observe);
      this.informers.workspaces.on('delete', (object) =>
        live.forget(object.metadata?.namespace ?? '', object.metadata?.name ?? ''),
      );
    }
    const provisioner = createNodeProvisioner(config.provisioner, {
      cluster: { nodes: () => this.informers.nodes.list() },
      nodeClaims: new KubeNodeClaimStore(kc, this.informers),
      ...(config.aks !== undefined ? { aks: config.aks } : {}),
    });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const deps = {
      workspaces: this.#workspaces,
      workloads: (namespace: string, name: string) => this.informers.workloads(namespace, name),
      provisioner,
      configMap: (namespace: string, name: string) => readConfigMap(core, namespace, name),
      catalog: config.catalog,
      ownership: ownership(config.coexist ?? false),
      now: () => new Date(),
      notReadyRequeueMs: config.notReadyRequeueMs ?? 10_000,
    };
    this.queue = new WorkQueue((key) => reconcileWorkspace(key, deps), {
      concurrency: config.concurrency ?? 4,
      baseDelayMs: config.baseRetryMs ?? 500,
      onResult: (_key, outcome) => metrics.countReconcile(outcome),
      onError: (key, error, retryInMs) =>
        log.log('error', 'reconcile failed; retrying', {
          workspace: key,
          error: errorText(error),
          retryInMs,
        }),
    });
    const collectGarbage = async (): Promise<void> => {
      if (provisioner.collectGarbage === undefined || !this.synced) return;
      const live = this.informers.workspaceKeys().map(splitNamespacedKey);
      try {
        const deleting = await provisioner.collectGarbage(live);
        if (deleting.length > 0)
          log.log('info', 'deleting what deleted Workspaces left behind', { deleting });
      } catch (error) {
        log.log('error', 'garbage collection failed; trying again at the next resync', {
          error: errorText(error),
        });
      }
    };
    this.#resyncEvery(config.resyncMs ?? 300_000, () => {
      enqueueAll();
      void collectGarbage();
    });
  }

  #resyncEvery(ms: number, resync: () => void): void {
    this.#resync = setInterval(() => {
      this.#workspaces.prune(new Set(this.informers.workspaceKeys()));
      resync();
    }, ms);
    this.#resync.unref();
  }

  async start(): Promise<void> {
    await this.informers.start();
    this.synced = true;
    for (const key of this.informers.workspaceKeys()) this.queue.add(key);
  }

  async stop(): Promise<void> {
    if (this.#resync !== undefined) clearInterval(this.#resync);
    await this.#live?.stop();
    await this.queue.stop();
    await this.informers.stop();
  }
}

/**
 * Refuses to run beside another kaito-gitops agent, and beside Kaito's workspace controller unless
 * coexisting (RemoteRefusedError with the one line that says what to do); warns about a Kaito-owned CRD
 * that `helm uninstall` would delete.
 */
async function checkBesideKaito(
  kc: k8s.KubeConfig,
  config: AgentConfig,
  log: Logger,
): Promise<KubernetesObject | undefined> {
  const coexist = config.coexist ?? false;
  const objects = await readKaitoObjects(kc);
  const others = otherAgents(objects.deployments, config.lease.namespace);
  if (others.length > 0) {
    throw new RemoteRefusedError(
      `another kaito-gitops agent runs in this cluster (${others.join(', ')}): both would manage every ` +
        `Workspace; run one agent per cluster (uninstall the other release, or upgrade it instead)`,
    );
  }
  if (objects.forbidden.length > 0) {
    log.log('warn', 'cannot tell whether Kaito runs here: reading is forbidden', {
      forbidden: objects.forbidden,
    });
  }
  const detection = detectKaito(objects);
  for (const hazard of detection.hazards) log.log('warn', hazard);
  if (detection.running.length === 0) return objects.crd;
  if (!coexist) throw new RemoteRefusedError(refusalMessage(detection));
  log.log('info', "coexisting with Kaito's controller: managing only Workspaces rendered by kaito-gitops", {
    kaito: detection.running,
  });
  return objects.crd;
}

export async function startAgent(
  kc: k8s.KubeConfig,
  config: AgentConfig,
  log: Logger,
): Promise<RunningAgent> {
  const crd = await checkBesideKaito(kc, config, log);
  const keptFields = keptStatusFields(crd);
  // The report code (and its code host SDKs) is loaded only for an agent that reports live status.
  const publisher =
    config.liveStatus !== undefined ? (await import('../report/index.ts')).LiveStatusPublisher : undefined;
  const metrics = new AgentMetrics();
  const api = new ApiReachability(config.lease.renewDeadlineMs ?? 10_000);
  let work: LeaderWork | undefined;
  let transition: Promise<void> = Promise.resolve();
  const elector = new LeaderElector(kc, {
    namespace: config.lease.namespace,
    name: config.lease.name,
    identity: config.lease.identity,
    ...(config.lease.durationMs !== undefined ? { leaseDurationMs: config.lease.durationMs } : {}),
    ...(config.lease.renewDeadlineMs !== undefined ? { renewDeadlineMs: config.lease.renewDeadlineMs } : {}),
    ...(config.lease.retryPeriodMs !== undefined ? { retryPeriodMs: config.lease.retryPeriodMs } : {}),
    onStartedLeading: () => {
      log.log('info', 'became leader', {
        lease: `${config.lease.namespace}/${config.lease.name}`,
        identity: config.lease.identity,
      });
      transition = transition.then(async () => {
        const next = new LeaderWork(kc, config, metrics, log, keptFields, publisher);
        work = next;
        try {
          await next.start();
        } catch (error) {
          log.log('error', 'could not list the cluster; informers retry', { error: errorText(error) });
        }
      });
    },
    onStoppedLeading: () => {
      log.log('info', 'stopped leading', { identity: config.lease.identity });
      transition = transition.then(async () => {
        const old = work;
        work = undefined;
        await old?.stop();
      });
    },
    onError: (error) => {
      api.failed(error);
      log.log('error', 'leader election failed; retrying', { error: errorText(error) });
    },
    onContact: () => api.succeeded(),
  });
  metrics.queueDepth = () => work?.queue.depth ?? 0;
  metrics.leader = () => elector.isLeader;
  const health: ProbeServer = await startProbeServer(config.metrics.host, config.metrics.port, {
    registry: metrics.registry,
    readiness: () => readiness(api, elector.isLeader ? (work ?? null) : undefined),
  });
  elector.start();
  return {
    metrics,
    healthPort: health.port,
    isLeader: () => elector.isLeader,
    idle: async () => {
      await transition;
      await work?.queue.idle();
    },
    stop: async () => {
      await elector.stop();
      await transition;
      await work?.stop();
      await health.close();
    },
  };
}

/** A ConfigMap a Workspace references, read when it is reconciled (few Workspaces have one). */
async function readConfigMap(
  core: k8s.CoreV1Api,
  namespace: string,
  name: string,
): Promise<ConfigMapObject | undefined> {
  try {
    const configMap = await core.readNamespacedConfigMap({ namespace, name });
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace },
      ...(configMap.data !== undefined ? { data: configMap.data } : {}),
    };
  } catch (error) {
    if (statusCode(error) === 404) return undefined;
    throw apiFailure(`reading ConfigMap ${namespace}/${name}`, error);
  }
}

/**
 * Ready: the API server answers, and, on the leader, every cache has listed and no watch is failing. A
 * replica standing by is ready while it reaches the API server (it can take over).
 */
function readiness(api: ApiReachability, leading: LeaderWork | null | undefined): Readiness {
  const reach = api.current();
  if (!reach.ok) return { ready: false, detail: { reason: reach.reason } };
  if (leading === undefined) return { ready: true };
  if (leading === null || !leading.synced)
    return { ready: false, detail: { reason: 'caches are not synced yet' } };
  const failing = leading.informers.failing();
  if (failing.length > 0)
    return { ready: false, detail: { reason: `watches failing: ${failing.join(', ')}` } };
  return { ready: true };
}
