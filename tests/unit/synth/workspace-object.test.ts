import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../src/synth/index.ts';
import { find } from '../../support/manifests.ts';
import { presetPlan, tuningPlan } from '../../support/plans.ts';

describe('the Workspace object', () => {
  it('is the spec as written, namespaced, labelled, without status', () => {
    const plan = presetPlan({
      apiVersion: 'kaito.sh/v1alpha1',
      labels: { team: 'ml' },
      annotations: { 'kaito.sh/runtime': 'vllm' },
      runtime: 'vllm',
      config: 'c',
    });
    const workspace = find(synthesize(plan), 'Workspace');
    expect(workspace).toEqual({
      apiVersion: 'kaito.sh/v1alpha1',
      kind: 'Workspace',
      metadata: {
        name: 'phi-3',
        namespace: 'default',
        labels: { team: 'ml', 'kaito.sh/workspace': 'phi-3', 'app.kubernetes.io/managed-by': 'kaito-gitops' },
        annotations: { 'kaito.sh/runtime': 'vllm' },
      },
      resource: plan.workspace.document.resource,
      inference: plan.workspace.document.inference,
    });
    expect(Object.keys(workspace).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata']);
  });

  it('carries tuning for tuning Workspaces', () => {
    const plan = tuningPlan();
    expect(find(synthesize(plan), 'Workspace').tuning).toEqual(plan.workspace.document.tuning);
  });

  it('takes the extra annotations (the source commit), which win over the spec', () => {
    const plan = presetPlan({ annotations: { 'kaito-gitops.io/source-commit': 'old', other: 'x' } });
    const workspace = find(
      synthesize(plan, { workspaceAnnotations: { 'kaito-gitops.io/source-commit': 'abc123' } }),
      'Workspace',
    );
    expect(workspace.metadata.annotations).toEqual({
      'kaito-gitops.io/source-commit': 'abc123',
      'kaito.sh/runtime': 'vllm',
      other: 'x',
    });
  });

  it('states the runtime, so a v1alpha1 spec read back as v1beta1 keeps its default (transformers)', () => {
    const plan = presetPlan({ apiVersion: 'kaito.sh/v1alpha1', runtime: 'transformers' });
    const workspace = find(synthesize(plan), 'Workspace');
    expect(workspace.metadata.annotations).toEqual({ 'kaito.sh/runtime': 'transformers' });
  });

  it('does not change the plan it was given', () => {
    const plan = presetPlan();
    const before = structuredClone(plan);
    synthesize(plan, { workspaceAnnotations: { a: 'b' } });
    expect(plan).toEqual(before);
  });
});
