import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/cli/duration.ts';
import { parseListenAddress } from '../../../src/cli/listen-address.ts';
import { UsageError } from '../../../src/errors.ts';
import type { SyncResult } from '../../../src/sync/sync-config.ts';
import { silentLogger } from '../../../src/observe/index.ts';
import { SyncMetrics } from '../../../src/sync/metrics.ts';
import { SyncLoop } from '../../../src/sync/sync-loop.ts';

const result = (n: number, errors = 0): SyncResult => ({
  outcome: 'pushed',
  sourceCommit: String(n).padStart(40, '0'),
  deployCommit: 'f'.repeat(40),
  workspaceCount: 3,
  changed: 1,
  workspaces: [],
  shards: { opened: [], retired: [], fluxUnits: false },
  errors: Array.from({ length: errors }, () => ({
    file: 'bad.yaml',
    problems: [{ path: 'x', message: 'y' }],
  })),
  attempts: 1,
  durationMs: 5,
});

/** A syncer whose passes finish when the test says so. */
function gatedSyncer() {
  const gates: (() => void)[] = [];
  let passes = 0;
  return {
    get passes() {
      return passes;
    },
    release: () => gates.shift()?.(),
    sync: () => {
      const n = ++passes;
      return new Promise<SyncResult>((resolve) => gates.push(() => resolve(result(n))));
    },
  };
}

describe('SyncLoop', () => {
  it('coalesces a burst: triggers during a pass share the one pass that starts after it', async () => {
    const syncer = gatedSyncer();
    const loop = new SyncLoop(syncer, new SyncMetrics(), silentLogger, 'https://git.example/m.git');
    const first = loop.trigger('webhook');
    const burst = [loop.trigger('webhook'), loop.trigger('webhook'), loop.trigger('poll')];
    expect(syncer.passes).toBe(1);
    syncer.release();
    expect(await first).toMatchObject({ ok: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(syncer.passes).toBe(2);
    syncer.release();
    const outcomes = await Promise.all(burst);
    expect(new Set(outcomes).size).toBe(1);
    expect(syncer.passes).toBe(2);
    expect(loop.syncedSourceCommit).toBe(result(2).sourceCommit);
  });

  it('records results, failures and the last source commit as metrics', async () => {
    const metrics = new SyncMetrics();
    let call = 0;
    const loop = new SyncLoop(
      {
        sync: () => {
          call++;
          return call === 2
            ? Promise.reject(new Error('remote down'))
            : Promise.resolve(result(call, call === 3 ? 1 : 0));
        },
      },
      metrics,
      silentLogger,
      'https://git.example/m.git',
    );
    expect(await loop.trigger('a')).toMatchObject({ ok: true });
    expect(await loop.trigger('b')).toMatchObject({ ok: false, error: { message: 'remote down' } });
    await loop.trigger('c');
    const text = await metrics.render();
    expect(text).toContain('kaito_gitops_syncs_total{result="pushed"} 1');
    expect(text).toContain('kaito_gitops_syncs_total{result="failed"} 1');
    expect(text).toContain('kaito_gitops_syncs_total{result="refused"} 1');
    expect(text).toContain('kaito_gitops_sync_failures_total{reason="remote"} 1');
    expect(text).toContain('kaito_gitops_sync_duration_seconds_count 3');
    expect(text).toContain(
      `kaito_gitops_last_synced_source_info{repository="https://git.example/m.git",source_commit="${result(3).sourceCommit}"} 1`,
    );
    expect(text).toMatch(/# TYPE kaito_gitops_sync_duration_seconds histogram/);
  });
});

describe('flag parsing', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
  ])('parseDuration(%s)', (text, ms) => expect(parseDuration(text, '--interval')).toBe(ms));

  it.each(['30', '5 m', 'm', '0s', '-1s', '1d'])('parseDuration(%j) is a usage error', (text) => {
    expect(() => parseDuration(text, '--interval')).toThrow(UsageError);
  });

  it.each([
    [':8080', { host: '0.0.0.0', port: 8080 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
  ])('parseListenAddress(%s)', (text, expected) =>
    expect(parseListenAddress(text, '--listen')).toEqual(expected),
  );

  it.each(['8080', 'host:', ':99999'])('parseListenAddress(%j) is a usage error', (text) => {
    expect(() => parseListenAddress(text, '--listen')).toThrow(UsageError);
  });
});
