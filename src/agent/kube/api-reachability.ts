/**
 * Whether the API server answered lately, for `/readyz`: every call that reaches it (the leader
 * election's renewals and attempts, every replica makes them every few seconds) records a success, every
 * one that fails to reach it records the failure. Unreachable means: the last call failed and nothing has
 * succeeded for `graceMs` (one failed renewal among successes is not an outage).
 */

export interface Reachability {
  ok: boolean;
  /** Why not, for the `/readyz` body. */
  reason?: string;
}

export class ApiReachability {
  readonly #graceMs: number;
  readonly #now: () => number;
  #lastSuccess: number;
  #lastError: { at: number; message: string } | undefined;

  constructor(graceMs: number, now: () => number = Date.now) {
    this.#graceMs = graceMs;
    this.#now = now;
    this.#lastSuccess = now();
  }

  succeeded(): void {
    this.#lastSuccess = this.#now();
    this.#lastError = undefined;
  }

  failed(error: unknown): void {
    this.#lastError = { at: this.#now(), message: error instanceof Error ? error.message : String(error) };
  }

  current(): Reachability {
    const error = this.#lastError;
    if (error === undefined || this.#now() - this.#lastSuccess < this.#graceMs) return { ok: true };
    const seconds = Math.round((this.#now() - this.#lastSuccess) / 1000);
    return { ok: false, reason: `the API server has not answered for ${seconds}s: ${error.message}` };
  }
}
