/**
 * The Argo CD health script and the Flux CEL health check, run (not read) over the same table of
 * Workspace states: the Lua by a real Lua 5.1 with Argo CD's libraries, the CEL by a CEL evaluator with
 * kustomize-controller's evaluation order.
 */
import { describe, expect, it } from 'vitest';
import { WORKSPACE_HEALTH_CEL, WORKSPACE_HEALTH_LUA } from '../../../src/api/index.ts';
import { evaluateHealthLua } from '../../support/argocd-lua.ts';
import { evaluateFluxHealth } from '../../support/flux-cel.ts';
import { WORKSPACE_STATES } from '../../support/workspace-states.ts';

describe('Argo CD health (Lua)', () => {
  const results = evaluateHealthLua(
    WORKSPACE_HEALTH_LUA,
    WORKSPACE_STATES.map((s) => s.object),
  );

  it.each(WORKSPACE_STATES.map((state, i) => [state.name, state, i] as const))('%s', (_name, state, i) => {
    expect(results[i]!.status).toBe(state.argo);
    expect(results[i]!.message).not.toBe('');
  });

  it('says why a Workspace is Degraded, in the controller’s words', () => {
    const crash = WORKSPACE_STATES.findIndex(
      (s) => s.name === 'Kaito: model crash-looping after being Ready',
    );
    expect(results[crash]!.message).toBe(
      'InferenceReady: pod phi-3-0 container phi-3 is crash-looping: last exit code 1 (Error)',
    );
  });

  it('uses no library Argo CD leaves out (string methods fail in its sandbox)', () => {
    expect(() => evaluateHealthLua('return { status = ("x"):upper() }', [{}])).toThrow(/attempt to index/);
    expect(() => evaluateHealthLua('return { status = math.floor(1) }', [{}])).toThrow(/math/);
  });
});

describe('Flux health (CEL)', () => {
  it.each(WORKSPACE_STATES.map((state) => [state.name, state] as const))('%s', (_name, state) => {
    expect(evaluateFluxHealth(WORKSPACE_HEALTH_CEL, state.object)).toBe(state.flux);
  });

  it('reports an object without the variable an expression reads as Unknown, as cel-go does', () => {
    expect(evaluateFluxHealth({ current: 'has(status.conditions)' }, { metadata: {} })).toBe('Unknown');
    expect(evaluateFluxHealth({ current: 'has(status.conditions)' }, { metadata: {}, status: {} })).toBe(
      'InProgress',
    );
  });
});
