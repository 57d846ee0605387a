import { describe, expect, it } from 'vitest';
import { TransientError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/observe/index.ts';
import { ProviderError, type PullRequestOutcome } from '../../../src/report/index.ts';
import { SyncMetrics } from '../../../src/sync/metrics.ts';
import type { PullRequestEvent } from '../../../src/sync/pull-request-event.ts';
import { PullRequestQueue, type ReportOutcome } from '../../../src/sync/pull-request-queue.ts';

const sha = (n: number) => String(n).padStart(40, '0');
const event = (number: number, head: number, updatedAt?: number, baseRef = 'main'): PullRequestEvent => ({
  provider: 'github',
  repository: 'acme/models',
  urls: [],
  number,
  action: 'synchronize',
  head: sha(head),
  baseRef,
  ...(updatedAt === undefined ? {} : { updatedAt }),
});
const outcomeFor = (e: PullRequestEvent) =>
  ({
    report: {},
    comment: { commentId: e.number, action: 'updated' },
    status: { context: 'kaito-gitops/plan', state: 'success', description: e.head },
  }) as unknown as PullRequestOutcome;

/** A reporter whose reports finish (or fail) when the test says so, one gate per report. */
function gatedReporter() {
  const started: PullRequestEvent[] = [];
  const gates: { resolve: () => void; reject: (error: Error) => void }[] = [];
  return {
    started,
    finish: () => gates.shift()?.resolve(),
    fail: (error: Error) => gates.shift()?.reject(error),
    ignores: () => undefined,
    report: (e: PullRequestEvent) => {
      started.push(e);
      return new Promise<PullRequestOutcome>((resolve, reject) =>
        gates.push({ resolve: () => resolve(outcomeFor(e)), reject }),
      );
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const heads = (outcomes: ReportOutcome[]) =>
  outcomes.map((o) => (o.ok ? o.event.head : `failed ${o.event.head}`));

describe('PullRequestQueue', () => {
  it('one report at a time; a newer head replaces a waiting one and answers both', async () => {
    const reporter = gatedReporter();
    const queue = new PullRequestQueue(reporter, new SyncMetrics(), silentLogger);
    const first = queue.submit(event(7, 1, 100));
    const second = queue.submit(event(7, 2, 200));
    const third = queue.submit(event(7, 3, 300));
    const other = queue.submit(event(8, 1, 100));
    expect(reporter.started.map((e) => e.head)).toEqual([sha(1)]);
    reporter.finish();
    await tick();
    reporter.finish();
    await tick();
    reporter.finish();
    expect(heads(await Promise.all([first, second, third, other]))).toEqual([sha(1), sha(3), sha(3), sha(1)]);
    expect(reporter.started.map((e) => [e.number, e.head])).toEqual([
      [7, sha(1)],
      [7, sha(3)],
      [8, sha(1)],
    ]);
  });

  it('an event older than the one waiting, running or reported is answered by the newer report', async () => {
    const reporter = gatedReporter();
    const queue = new PullRequestQueue(reporter, new SyncMetrics(), silentLogger);
    const newest = queue.submit(event(7, 3, 300));
    const late = queue.submit(event(7, 2, 200)); // arrived after the newer one: joins it
    reporter.finish();
    expect(heads(await Promise.all([newest, late]))).toEqual([sha(3), sha(3)]);
    const replayed = await queue.submit(event(7, 1, 100));
    expect(replayed).toMatchObject({ ok: true, reused: true, event: { head: sha(3) } });
    const again = await queue.submit(event(7, 3, 400)); // the same head once more
    expect(again).toMatchObject({ ok: true, reused: true });
    expect(reporter.started).toHaveLength(1);
    // A new base is a new revision.
    const rebased = queue.submit(event(7, 3, 500, 'release'));
    expect(reporter.started).toHaveLength(2);
    reporter.finish();
    expect(await rebased).toMatchObject({ ok: true, reused: false });
  });

  it('tries a transient failure again with backoff, and stops on a newer event or another failure', async () => {
    const reporter = gatedReporter();
    const queue = new PullRequestQueue(reporter, new SyncMetrics(), silentLogger, {
      baseMs: 5,
      maxMs: 5,
      random: () => 1,
    });
    const failed = queue.submit(event(7, 1));
    reporter.fail(new TransientError('GitHub: 502'));
    expect(await failed).toMatchObject({ ok: false, retryInMs: 5 });
    await until(() => reporter.started.length === 2);
    expect(reporter.started[1]?.head).toBe(sha(1));
    reporter.fail(new ProviderError('GitHub: 401 Bad credentials'));
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(reporter.started).toHaveLength(2); // not retried

    const flaky = queue.submit(event(9, 1));
    reporter.fail(new TransientError('GitHub: 503'));
    expect(await flaky).toMatchObject({ ok: false });
    const newer = queue.submit(event(9, 2)); // before the retry: replaces it
    await until(() => reporter.started.length === 4);
    reporter.finish();
    expect(await newer).toMatchObject({ ok: true, event: { head: sha(2) } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(reporter.started.map((e) => e.head)).toEqual([sha(1), sha(1), sha(1), sha(2)]);
    queue.stop();
  });

  it('gives up after maxRetries', async () => {
    const reporter = gatedReporter();
    const metrics = new SyncMetrics();
    const queue = new PullRequestQueue(reporter, metrics, silentLogger, {
      baseMs: 1,
      maxMs: 1,
      maxRetries: 2,
    });
    void queue.submit(event(7, 1));
    for (let i = 1; i <= 3; i++) {
      await until(() => reporter.started.length === i);
      reporter.fail(new TransientError('GitHub: 502'));
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(reporter.started).toHaveLength(3);
    expect(await metrics.render()).toContain('kaito_gitops_pull_request_reports_total{result="failed"} 3');
  });
});

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
