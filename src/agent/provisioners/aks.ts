/**
 * `--provisioner=aks`: one AKS agent pool per Workspace, created, scaled and deleted by the agent through
 * Azure Resource Manager (`@azure/arm-containerservice`).
 *
 * Nothing here waits for an ARM long-running operation. A write sends its request (`poller.submitted()`:
 * the PUT or DELETE and its immediate answer) and keeps the poller; each later `status()` advances it by
 * one poll and reads the pool itself. The pool's `provisioningState` is the truth that survives a restart:
 * a pool that is Creating or Scaling is an operation in progress and is waited for, never written again
 * (AKS would answer 409; that answer is treated the same way).
 */
import type { AgentPool, ContainerServiceClient } from '@azure/arm-containerservice';
import { TransientError } from '../../errors.ts';
import { CONDITION_REASONS } from '../../api/index.ts';
import { usableNodeNames } from '../node-readiness.ts';
import type { NodeProvisioner, NodeRequest, NodeStatus, WorkspaceKey } from '../node-provisioner.ts';
import { agentPoolName, workspaceId, workspaceLabels } from './agent-pool-names.ts';
import { OPERATION_STATES, agentPoolSpec, decideAgentPoolAction, poolOwner } from './agent-pool.ts';
import { classifyArmError, isQuotaError, type ArmFailure } from './arm-errors.ts';
import type { ClusterView } from './cluster-view.ts';

/** Where the agent pools go. */
export interface AksTarget {
  /** The AKS cluster's resource group (not the node resource group). */
  resourceGroup: string;
  clusterName: string;
}

export interface AksProvisionerOptions extends AksTarget {
  /** Built by the CLI with `DefaultAzureCredential` (workload identity in the cluster); injected in tests. */
  client: Pick<ContainerServiceClient, 'agentPools'>;
  /** The agent's node cache: a pool's nodes carry the Workspace's labels. */
  cluster: ClusterView;
}

/** The part of the SDK's `PollerLike` used here; never awaited itself (that would poll until done). */
interface Poller {
  submitted(): Promise<void>;
  poll(): Promise<unknown>;
  readonly isDone: boolean;
}

interface Operation {
  poller: Poller;
  action: 'put' | 'delete';
}

type Refusal = Extract<ArmFailure, { kind: 'permanent' }>;

export class AksProvisioner implements NodeProvisioner {
  readonly kind = 'aks';
  readonly #client: Pick<ContainerServiceClient, 'agentPools'>;
  readonly #cluster: ClusterView;
  readonly #target: AksTarget;
  /** Operations this process started, by pool name; lost on restart, which the pool's state covers. */
  readonly #operations = new Map<string, Operation>();
  /** The last write ARM refused outright (quota, invalid size), by pool name, until a write succeeds. */
  readonly #refusals = new Map<string, Refusal>();

  constructor(options: AksProvisionerOptions) {
    this.#client = options.client;
    this.#cluster = options.cluster;
    this.#target = { resourceGroup: options.resourceGroup, clusterName: options.clusterName };
  }

  async provision(request: NodeRequest): Promise<void> {
    if (request.instanceType === undefined) return; // status() reports it
    const name = agentPoolName(request.workspace);
    await this.#advance(name);
    if (this.#running(name)) return;
    const desired = agentPoolSpec(request);
    const action = decideAgentPoolAction(desired, request.workspace, await this.#get(name));
    const { resourceGroup, clusterName } = this.#target;
    switch (action.kind) {
      case 'create':
      case 'update':
        await this.#start(name, 'put', () =>
          this.#client.agentPools.createOrUpdate(resourceGroup, clusterName, name, desired),
        );
        return;
      case 'recreate':
        await this.#start(name, 'delete', () =>
          this.#client.agentPools.delete(resourceGroup, clusterName, name),
        );
        return;
      case 'wait':
      case 'none':
      case 'conflict':
        return;
    }
  }

  async status(request: NodeRequest): Promise<NodeStatus> {
    const name = agentPoolName(request.workspace);
    if (request.instanceType === undefined) {
      return failed(
        'AgentPoolFailed',
        'resource.instanceType is empty, so there is no VM size for an agent pool: set an instance type, or run the agent with --provisioner=byo for bring-your-own nodes',
      );
    }
    const operationError = await this.#advance(name);
    const pool = await this.#get(name);
    const refusal = this.#refusals.get(name);
    if (refusal !== undefined && (pool === undefined || pool.provisioningState === 'Failed')) {
      return failed(
        refusal.quota ? 'QuotaExceeded' : 'AgentPoolFailed',
        `Azure refused agent pool ${name}: ${refusal.code}: ${refusal.message}`,
      );
    }
    const waiting: string[] = [];
    if (pool === undefined) {
      waiting.push(`agent pool ${name} not created yet`);
    } else {
      const owner = poolOwner(pool);
      if (owner === undefined || workspaceId(owner) !== workspaceId(request.workspace)) {
        return failed(
          'AgentPoolConflict',
          `agent pool ${name} in cluster ${this.#target.clusterName} belongs to ${owner === undefined ? 'something other than kaito-gitops' : `Workspace ${workspaceId(owner)}`}; delete it or rename this Workspace`,
        );
      }
      const state = pool.provisioningState ?? 'Succeeded';
      if (state === 'Failed') {
        const error = pool.status?.provisioningError;
        const code = error?.code ?? 'Failed';
        const message =
          error?.message ?? operationError ?? 'the last operation failed without an error message';
        const quota = isQuotaError(code, message);
        return {
          readyNodes: [],
          ready: false,
          reason: quota ? 'QuotaExceeded' : 'AgentPoolFailed',
          message: `agent pool ${name} failed: ${code}: ${message}`,
          // Other failures (allocation, a transient platform error) are retried by the next provision().
          permanent: quota,
        };
      }
      if (OPERATION_STATES.has(state)) {
        waiting.push(`agent pool ${name} is ${state} (${pool.count ?? 0} × ${pool.vmSize ?? '?'})`);
      }
    }
    const ready = usableNodeNames(this.#cluster.nodes(), {
      instanceType: request.instanceType,
      matchLabels: { ...request.matchLabels, ...workspaceLabels(request.workspace) },
    });
    return poolNodesStatus(ready, request, waiting);
  }

  async release(workspace: WorkspaceKey): Promise<boolean> {
    const name = agentPoolName(workspace);
    await this.#advance(name);
    const pool = await this.#get(name);
    if (pool === undefined) {
      this.#refusals.delete(name);
      this.#operations.delete(name);
      return true;
    }
    const owner = poolOwner(pool);
    if (owner === undefined || workspaceId(owner) !== workspaceId(workspace)) return true; // not ours to delete
    if (pool.provisioningState !== 'Deleting' && !this.#running(name)) {
      const { resourceGroup, clusterName } = this.#target;
      await this.#start(name, 'delete', () =>
        this.#client.agentPools.delete(resourceGroup, clusterName, name),
      );
    }
    return false;
  }

  async collectGarbage(live: readonly WorkspaceKey[]): Promise<string[]> {
    const liveIds = new Set(live.map(workspaceId));
    const { resourceGroup, clusterName } = this.#target;
    const orphans: string[] = [];
    try {
      for await (const pool of this.#client.agentPools.list(resourceGroup, clusterName)) {
        const owner = poolOwner(pool);
        if (owner === undefined || liveIds.has(workspaceId(owner)) || pool.name === undefined) continue;
        if (pool.provisioningState === 'Deleting') continue;
        orphans.push(pool.name);
      }
    } catch (error) {
      throw this.#transient(`listing agent pools of cluster ${clusterName}`, classifyArmError(error), error);
    }
    const started: string[] = [];
    for (const name of orphans.sort()) {
      if (
        await this.#start(name, 'delete', () =>
          this.#client.agentPools.delete(resourceGroup, clusterName, name),
        )
      ) {
        started.push(name);
      }
    }
    return started;
  }

  #running(name: string): boolean {
    const operation = this.#operations.get(name);
    return operation !== undefined && !operation.poller.isDone;
  }

  /** One poll of the operation this process started, if any; returns its failure message once it failed. */
  async #advance(name: string): Promise<string | undefined> {
    const operation = this.#operations.get(name);
    if (operation === undefined) return undefined;
    let failure: string | undefined;
    if (!operation.poller.isDone) {
      try {
        await operation.poller.poll();
      } catch (error) {
        // A failed operation throws its error; a failed poll request (throttled, say) is simply not an
        // observation this time: the GET of the pool that follows tells the state.
        if (!(error instanceof Error && error.name === 'RestError')) {
          failure = error instanceof Error ? error.message : String(error);
        }
      }
    }
    if (operation.poller.isDone) this.#operations.delete(name);
    return failure;
  }

  async #get(name: string): Promise<AgentPool | undefined> {
    const { resourceGroup, clusterName } = this.#target;
    try {
      return await this.#client.agentPools.get(resourceGroup, clusterName, name);
    } catch (error) {
      const failure = classifyArmError(error);
      if (failure.kind === 'not-found') return undefined;
      throw this.#transient(`reading agent pool ${name}`, failure, error);
    }
  }

  /**
   * Send a write and keep its poller without waiting for the operation. Resolves `true` when ARM accepted
   * it; `false` when an operation was already running (resumed by observing it) or ARM refused it for
   * good (kept for `status()`); throws a TransientError when ARM could not answer.
   */
  async #start(name: string, action: Operation['action'], begin: () => Poller): Promise<boolean> {
    const poller = begin();
    try {
      await poller.submitted();
    } catch (error) {
      const failure = classifyArmError(error);
      switch (failure.kind) {
        case 'in-progress':
        case 'not-found':
          return false;
        case 'permanent':
          this.#refusals.set(name, failure);
          return false;
        case 'transient':
          throw this.#transient(
            `${action === 'put' ? 'writing' : 'deleting'} agent pool ${name}`,
            failure,
            error,
          );
      }
    }
    this.#refusals.delete(name);
    this.#operations.set(name, { poller, action });
    return true;
  }

  #transient(what: string, failure: ArmFailure, cause: unknown): TransientError {
    if (failure.kind !== 'transient') {
      const detail = failure.kind === 'not-found' ? 'not found' : `${failure.code}: ${failure.message}`;
      return new TransientError(`Azure Resource Manager: ${what}: ${detail}`, undefined, { cause });
    }
    const status = failure.status === undefined ? 'no answer' : `HTTP ${failure.status}`;
    const after =
      failure.retryAfterSeconds === undefined
        ? ''
        : `; ARM asks to retry after ${failure.retryAfterSeconds} s`;
    return new TransientError(
      `Azure Resource Manager: ${what} failed after the SDK's retries (${status} ${failure.code}: ${failure.message})${after}`,
      failure.retryAfterSeconds,
      { cause },
    );
  }
}

function failed(reason: string, message: string): NodeStatus {
  return { readyNodes: [], ready: false, reason, message, permanent: true };
}

/** Ready once enough of the pool's nodes count; otherwise what the pool and its nodes still wait for. */
function poolNodesStatus(ready: string[], request: NodeRequest, waiting: string[]): NodeStatus {
  const have = `${ready.length} of ${request.nodes} nodes ready`;
  if (ready.length >= request.nodes) {
    return { readyNodes: ready, ready: true, reason: 'NodesReady', message: have, permanent: false };
  }
  return {
    readyNodes: ready,
    ready: false,
    reason: CONDITION_REASONS.NodeNotReady,
    message: [have, ...waiting].join('; '),
    permanent: false,
  };
}
