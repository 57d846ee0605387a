import type { V1PodSpec, V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/api/types.ts';
import { SpecError } from '../../../src/errors.ts';
import { templateProblems } from '../../../src/synth/inference-template.ts';
import { synthesize } from '../../../src/synth/index.ts';
import { deployment, kinds, podSpec, podTemplate, service } from '../../support/manifests.ts';
import { defaultTemplate, templatePlan } from '../../support/plans.ts';

/** A template with its pod spec changed by `change`. */
function templateWith(change: (spec: V1PodSpec & Record<string, unknown>) => void): JsonObject {
  const template = defaultTemplate() as V1PodTemplateSpec & JsonObject;
  change(template.spec as V1PodSpec & Record<string, unknown>);
  return template;
}

describe('template inference', () => {
  it('keeps the containers exactly as written, GPU requests included', () => {
    const template = defaultTemplate() as V1PodTemplateSpec & JsonObject;
    const spec = podSpec(synthesize(templatePlan({ template })));
    expect(spec.containers).toEqual(template.spec?.containers);
    expect(spec.containers[0]?.resources?.limits).toEqual({ 'nvidia.com/gpu': 2 });
  });

  it('renders Workspace, Service and Deployment, with the Workspace label added to the user labels', () => {
    const manifests = synthesize(templatePlan());
    expect(kinds(manifests)).toEqual(['Workspace/phi-3', 'Service/phi-3', 'Deployment/phi-3']);
    expect(podTemplate(manifests).metadata?.labels).toEqual({
      app: 'custom',
      'kaito.sh/workspace': 'phi-3',
      'app.kubernetes.io/managed-by': 'kaito-gitops',
    });
    expect(deployment(manifests).spec?.selector).toEqual({ matchLabels: { 'kaito.sh/workspace': 'phi-3' } });
    expect(service(manifests).spec?.ports).toEqual([
      { name: 'http', port: 80, targetPort: 5000, protocol: 'TCP' },
    ]);
  });

  it('merges node affinity and appends tolerations to what the template has', () => {
    const template = templateWith((spec) => {
      spec.tolerations = [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }];
      spec.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['1'] }] }],
          },
        },
      };
    });
    const spec = podSpec(synthesize(templatePlan({ template })));
    expect(spec.tolerations?.map((t) => t.key)).toEqual([
      'dedicated',
      'sku',
      'nvidia.com/gpu',
      'kubernetes.azure.com/scalesetpriority',
    ]);
    // Kaito pins template pods to their Workspace's provisioned nodes too (template_inference.go).
    expect(
      spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    ).toEqual([
      {
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['1'] },
          { key: 'apps', operator: 'In', values: ['phi-3'] },
          { key: 'kaito.sh/workspace', operator: 'In', values: ['phi-3'] },
          { key: 'kaito.sh/workspacenamespace', operator: 'In', values: ['default'] },
        ],
      },
    ]);
    // The spec it was given is left as it was.
    expect(template).not.toHaveProperty(
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.0.matchExpressions.1',
    );
  });

  it('keeps fields newer than any typed Kubernetes model (no typed serializer drops them)', () => {
    const template = templateWith((spec) => {
      spec['resourceClaims'] = [{ name: 'gpu', resourceClaimTemplateName: 'a100' }];
      spec['futureField'] = { keep: true };
    });
    const spec = podSpec(synthesize(templatePlan({ template })));
    expect(spec).toMatchObject({
      resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'a100' }],
      futureField: { keep: true },
    });
  });

  it('runs several nodes as a StatefulSet selecting every pod', () => {
    const manifests = synthesize(templatePlan({ nodes: 2 }));
    expect(kinds(manifests)).toEqual([
      'Workspace/phi-3',
      'Service/phi-3',
      'Service/phi-3-headless',
      'StatefulSet/phi-3',
    ]);
    expect(service(manifests, 'phi-3').spec?.selector).toEqual({ 'kaito.sh/workspace': 'phi-3' });
  });

  it.each([
    [{}, 'inference.template.spec'],
    [{ spec: { containers: [] } }, 'inference.template.spec.containers'],
    [{ spec: [] }, 'inference.template.spec'],
  ])('refuses %j (%s)', (template, path) => {
    expect(templateProblems(template)[0]?.path).toBe(path);
    expect(() => synthesize(templatePlan({ template }))).toThrow(SpecError);
  });
});
