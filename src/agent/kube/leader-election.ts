/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does it: the
 * leader renews `renewTime` every `retryPeriodMs`; a candidate takes the Lease only once
 * `renewTime + leaseDurationSeconds` has passed; every write is guarded by resourceVersion, so two
 * candidates cannot both win. A leader that cannot renew within `renewDeadlineMs` steps down; on
 * shutdown the leader releases the Lease (empty holder) so a standby takes over at once.
 */
import * as k8s from '@kubernetes/client-node';
import { statusCode } from './api-errors.ts';

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  /** This candidate's identity (pod name + random suffix). */
  identity: string;
  /** @default 15000 */
  leaseDurationMs?: number;
  /** @default 10000 */
  renewDeadlineMs?: number;
  /** @default 2000 */
  retryPeriodMs?: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  onError?(error: unknown): void;
  /** The API server answered (a 409 from a racing candidate counts: the server is there). */
  onContact?(): void;
}

export class LeaderElector {
  readonly #api: k8s.CoordinationV1Api;
  readonly #config: LeaderElectionConfig;
  readonly #durationMs: number;
  readonly #deadlineMs: number;
  readonly #retryMs: number;
  #leading = false;
  #lastRenew = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #tick: Promise<void> = Promise.resolve();

  constructor(kc: k8s.KubeConfig, config: LeaderElectionConfig) {
    this.#api = kc.makeApiClient(k8s.CoordinationV1Api);
    this.#config = config;
    this.#durationMs = config.leaseDurationMs ?? 15_000;
    this.#deadlineMs = config.renewDeadlineMs ?? 10_000;
    this.#retryMs = config.retryPeriodMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  start(): void {
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops campaigning; a leader releases the Lease. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#tick;
    if (this.#leading) {
      await this.#release();
      this.#setLeading(false);
    }
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#tick = this.#tryAcquireOrRenew().then((ok) => {
        if (!ok && this.#leading && Date.now() - this.#lastRenew > this.#deadlineMs) this.#setLeading(false);
        this.#schedule(this.#retryMs);
      });
    }, ms);
  }

  #setLeading(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    if (leading) this.#config.onStartedLeading();
    else this.#config.onStoppedLeading();
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.#config;
    const now = new Date();
    try {
      let lease: k8s.V1Lease;
      try {
        lease = await this.#api.readNamespacedLease({ namespace, name });
        this.#config.onContact?.();
      } catch (error) {
        if (statusCode(error) !== 404) throw error;
        this.#config.onContact?.();
        await this.#api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: this.#spec(now, now, 0) },
        });
        this.#won();
        return true;
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      const renewed = spec.renewTime === undefined ? 0 : new Date(spec.renewTime).getTime();
      const expired = renewed + (spec.leaseDurationSeconds ?? 0) * 1000 < now.getTime();
      if (holder !== identity && holder !== '' && !expired) {
        this.#setLeading(false);
        return false;
      }
      const transitions = (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
      const acquired =
        holder === identity && spec.acquireTime !== undefined ? new Date(spec.acquireTime) : now;
      await this.#api.replaceNamespacedLease({
        namespace,
        name,
        body: { ...lease, spec: this.#spec(acquired, now, transitions) },
      });
      this.#won();
      return true;
    } catch (error) {
      // 409: another candidate wrote first; anything else: the API server is unreachable. Either way,
      // try again next period; a leader steps down once its renew deadline passes.
      if (statusCode(error) === 409) this.#config.onContact?.();
      else this.#config.onError?.(error);
      return false;
    }
  }

  #won(): void {
    this.#lastRenew = Date.now();
    this.#setLeading(true);
  }

  #spec(acquireTime: Date, renewTime: Date, leaseTransitions: number): k8s.V1LeaseSpec {
    return {
      holderIdentity: this.#config.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.#durationMs / 1000)),
      acquireTime,
      renewTime,
      leaseTransitions,
    };
  }

  async #release(): Promise<void> {
    const { namespace, name, identity } = this.#config;
    try {
      const lease = await this.#api.readNamespacedLease({ namespace, name });
      if (lease.spec?.holderIdentity !== identity) return;
      await this.#api.replaceNamespacedLease({
        namespace,
        name,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } },
      });
    } catch (error) {
      this.#config.onError?.(error);
    }
  }
}
