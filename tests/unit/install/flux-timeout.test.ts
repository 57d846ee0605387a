/** The Flux Kustomization timeout covers the slowest Workspace's start-up, within a floor and a cap. */
import { describe, expect, it } from 'vitest';
import { readCatalog, type WorkspacePlan } from '../../../src/catalog/index.ts';
import { fluxTimeout, goDuration } from '../../../src/install/flux-timeout.ts';

const catalog = await readCatalog();

function planFor(name: string, minutes: number): WorkspacePlan {
  return {
    workspace: { namespace: 'default', name },
    readinessTimeoutSeconds: minutes * 60,
  } as unknown as WorkspacePlan;
}

describe('fluxTimeout', () => {
  it.each<[string, number[], number | undefined, string]>([
    ['no Workspaces', [], undefined, '30m'],
    ['a small model', [10], undefined, '30m'],
    ['the slowest decides, rounded up to 5 minutes', [30, 121, 45], undefined, '2h25m'],
    ['the largest preset (180 min)', [180], undefined, '3h20m'],
    ['a lower cap', [180], 120, '2h'],
  ])('%s', (_name, minutes, cap, expected) => {
    const plans = minutes.map((m, i) => planFor(`ws-${i}`, m));
    expect(fluxTimeout(plans, cap).timeout).toBe(expected);
  });

  it('says which Workspace needs it', () => {
    expect(fluxTimeout([planFor('a', 30), planFor('llama', 180)]).reason).toBe(
      'default/llama may take 180 min to start, plus 20 min for a GPU node and the image',
    );
  });

  it('covers every preset of the catalog within the default cap', () => {
    const longest = Math.max(...catalog.presets.list().map((p) => p.readinessTimeoutMinutes));
    expect(fluxTimeout([planFor('x', longest)]).minutes).toBeGreaterThanOrEqual(longest + 5);
  });

  it.each([
    [30, '30m'],
    [60, '1h'],
    [200, '3h20m'],
  ])('writes %i minutes as %s', (minutes, text) => {
    expect(goDuration(minutes)).toBe(text);
  });
});
