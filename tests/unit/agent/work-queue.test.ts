import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from '../../../src/agent/work-queue.ts';
import { NotReadyError, TransientError } from '../../../src/errors.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('WorkQueue', () => {
  it('deduplicates a key that is waiting', async () => {
    const seen: string[] = [];
    const queue = new WorkQueue((key) => Promise.resolve(void seen.push(key)).then(() => ({})), {
      concurrency: 1,
    });
    queue.add('a/blocker');
    queue.add('a/x');
    queue.add('a/x');
    queue.add('a/x');
    await queue.idle();
    expect(seen).toEqual(['a/blocker', 'a/x']);
  });

  it('never runs one key twice at once, and runs it again when added while running', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const queue = new WorkQueue(async () => {
      running += 1;
      runs += 1;
      maxRunning = Math.max(maxRunning, running);
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
      running -= 1;
      return {};
    });
    queue.add('ns/a');
    await vi.waitFor(() => expect(runs).toBe(1));
    queue.add('ns/a');
    queue.add('ns/a');
    release();
    await queue.idle();
    await queue.idle();
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('backs off exponentially with jitter on errors and resets after a success', async () => {
    const delays: number[] = [];
    let calls = 0;
    const queue = new WorkQueue(
      () => {
        calls += 1;
        return calls <= 3 ? Promise.reject(new Error('boom')) : Promise.resolve({});
      },
      { baseDelayMs: 100, random: () => 0.5, onError: (_key, _error, ms) => delays.push(ms) },
    );
    queue.add('ns/a');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(delays).toEqual([100, 200, 400]);
    expect(calls).toBe(4);
    expect(queue.backoffMs(30)).toBe(300_000);
  });

  it('jitters within ±20 %', () => {
    const low = new WorkQueue(() => Promise.resolve({}), { baseDelayMs: 1000, random: () => 0 });
    const high = new WorkQueue(() => Promise.resolve({}), { baseDelayMs: 1000, random: () => 0.999 });
    expect(low.backoffMs(1)).toBe(800);
    expect(high.backoffMs(1)).toBe(1200);
  });

  it('requeues after the delay a reconcile asks for, not before', async () => {
    let calls = 0;
    const queue = new WorkQueue(() => {
      calls += 1;
      return Promise.resolve(calls === 1 ? { requeueAfterMs: 5000 } : {});
    });
    queue.add('ns/a');
    await vi.advanceTimersByTimeAsync(4999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
  });

  it('requeues a NotReadyError after its delay, as a requeue and not a failure', async () => {
    const results: string[] = [];
    let calls = 0;
    const queue = new WorkQueue(
      () => {
        calls += 1;
        return calls === 1 ? Promise.reject(new NotReadyError('node booting', 7)) : Promise.resolve({});
      },
      { baseDelayMs: 100, onResult: (_key, outcome) => results.push(outcome) },
    );
    queue.add('ns/a');
    await vi.advanceTimersByTimeAsync(6999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    expect(results).toEqual(['requeue', 'success']);
  });

  it('backs off a TransientError no sooner than the Retry-After it carries', async () => {
    const delays: number[] = [];
    let calls = 0;
    const queue = new WorkQueue(
      () => {
        calls += 1;
        return calls === 1 ? Promise.reject(new TransientError('429', 30)) : Promise.resolve({});
      },
      { baseDelayMs: 100, random: () => 0.5, onError: (_key, _error, ms) => delays.push(ms) },
    );
    queue.add('ns/a');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(delays).toEqual([30_000]);
  });

  it('stop cancels delayed work', async () => {
    let calls = 0;
    const queue = new WorkQueue(() => Promise.resolve({ requeueAfterMs: 10 + 0 * (calls += 1) }));
    queue.add('ns/a');
    await queue.idle();
    await queue.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(1);
  });
});
