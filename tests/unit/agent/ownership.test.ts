/** Which Workspaces the agent takes, alone or beside Kaito's controller. */
import { describe, expect, it } from 'vitest';
import { ApiReachability } from '../../../src/agent/kube/api-reachability.ts';
import { COEXIST_FINALIZER, KAITO_FINALIZER, ownership } from '../../../src/agent/ownership.ts';

const ours = { metadata: { name: 'a', labels: { 'app.kubernetes.io/managed-by': 'kaito-gitops' } } };
const kaitos = { metadata: { name: 'b' } };

describe('ownership', () => {
  it('alone: every Workspace, with Kaito’s finalizer', () => {
    const alone = ownership(false);
    expect([alone.manages(ours), alone.manages(kaitos), alone.finalizer]).toEqual([
      true,
      true,
      KAITO_FINALIZER,
    ]);
  });

  it('coexisting: only what kaito-gitops rendered, with its own finalizer', () => {
    const beside = ownership(true);
    expect([beside.manages(ours), beside.manages(kaitos), beside.finalizer]).toEqual([
      true,
      false,
      COEXIST_FINALIZER,
    ]);
  });
});

describe('ApiReachability', () => {
  it('is unreachable only after the grace period without any success', () => {
    let now = 0;
    const api = new ApiReachability(10_000, () => now);
    expect(api.current().ok).toBe(true);
    now = 5_000;
    api.failed(new Error('connect ECONNREFUSED 10.0.0.1:443'));
    expect(api.current().ok).toBe(true);
    now = 12_000;
    expect(api.current()).toEqual({
      ok: false,
      reason: 'the API server has not answered for 12s: connect ECONNREFUSED 10.0.0.1:443',
    });
    api.succeeded();
    expect(api.current().ok).toBe(true);
  });
});
