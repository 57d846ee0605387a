/**
 * The running agent: health server, leader election and, while leading, the informers, the work queue
 * and a periodic resync. Only the leader reconciles; a replica that loses the Lease stops its caches and
 * queue and goes back to standing by. Configuration arrives parsed (src/cli/agent.ts).
 */
import * as k8s from '@kubernetes/client-node';
import { splitNamespacedKey, type ConfigMapObject } from '../api/index.ts';
import type { Catalog } from '../catalog/index.ts';
import { errorText, startProbeServer, type Logger, type ProbeServer } from '../observe/index.ts';
import { LiveStatusPublisher, type LiveStatusOptions } from '../report/index.ts';
import { ClusterInformers } from './kube/informers.ts';
import { LeaderElector } from './kube/leader-election.ts';
import { apiFailure, statusCode } from './kube/api-errors.ts';
import { KubeNodeClaimStore, KubeWorkspaceAccess } from './kube/workspace-client.ts';
import { liveStateOf } from './live-state.ts';
import type { WorkspaceObject } from './workspace-object.ts';
import { AgentMetrics } from './metrics.ts';
import type { ProvisionerKind } from './node-provisioner.ts';
import { createNodeProvisioner, type ProvisionerDeps } from './provisioners/index.ts';
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

  constructor(kc: k8s.KubeConfig, config: AgentConfig, metrics: AgentMetrics, log: Logger) {
    const enqueueAll = (): void => {
      for (const key of this.informers.workspaceKeys()) this.queue.add(key);
    };
    this.informers = new ClusterInformers(
      kc,
      {
        enqueue: (key) => this.queue.add(key),
        unlabelledNode: () => {
          if (config.provisioner === 'byo') enqueueAll();
        },
        error: (kind, error) => {
          metrics.countInformerError();
          log.log('error', 'watch failed; restarting it', { kind, error: String(error) });
        },
      },
      { watchNodeClaims: config.provisioner === 'nodeclaim' },
    );
    this.#workspaces = new KubeWorkspaceAccess(kc, this.informers, () => metrics.countStatusWrite());
    this.#live = config.liveStatus && new LiveStatusPublisher({ ...config.liveStatus, logger: log });
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
  }

  async stop(): Promise<void> {
    if (this.#resync !== undefined) clearInterval(this.#resync);
    await this.#live?.stop();
    await this.queue.stop();
    await this.informers.stop();
  }
}

export async function startAgent(
  kc: k8s.KubeConfig,
  config: AgentConfig,
  log: Logger,
): Promise<RunningAgent> {
  const metrics = new AgentMetrics();
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
        const next = new LeaderWork(kc, config, metrics, log);
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
    onError: (error) => log.log('error', 'leader election failed; retrying', { error: errorText(error) }),
  });
  metrics.queueDepth = () => work?.queue.depth ?? 0;
  metrics.leader = () => elector.isLeader;
  // Ready once the caches are synced, or while standing by (a replica that does not lead is healthy).
  const health: ProbeServer = await startProbeServer(config.metrics.host, config.metrics.port, {
    registry: metrics.registry,
    readiness: () => ({ ready: elector.isLeader ? work?.synced === true : true }),
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
