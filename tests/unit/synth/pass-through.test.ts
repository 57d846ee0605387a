import { describe, expect, it } from 'vitest';
import type { SourceObject, Workspace } from '../../../src/api/types.ts';
import { SpecError } from '../../../src/errors.ts';
import { assignPassThrough, passThroughManifest, references } from '../../../src/synth/pass-through.ts';
import { configMap, presetPlan, pvc, templatePlan, tuningPlan } from '../../support/plans.ts';

const ws = (plan: { workspace: Workspace }) => plan.workspace;

describe('references', () => {
  it.each<[string, Workspace, string[]]>([
    ['inference.config', ws(presetPlan({ config: 'cfg' })), ['ConfigMap/cfg']],
    [
      'volume adapters',
      ws(
        presetPlan({
          adapters: [{ source: { name: 'a', volumeSource: { persistentVolumeClaim: { claimName: 'ad' } } } }],
        }),
      ),
      ['PersistentVolumeClaim/ad'],
    ],
    [
      'tuning config, input and output volumes',
      ws(
        tuningPlan({
          config: 'qlora',
          input: { volumeSource: { persistentVolumeClaim: { claimName: 'in' } } },
          output: { volumeSource: { persistentVolumeClaim: { claimName: 'out' } } },
        }),
      ),
      ['ConfigMap/qlora', 'PersistentVolumeClaim/in', 'PersistentVolumeClaim/out'],
    ],
    [
      'template volumes, env and envFrom',
      ws(
        templatePlan({
          template: {
            spec: {
              volumes: [
                { name: 'a', persistentVolumeClaim: { claimName: 'weights' } },
                { name: 'b', configMap: { name: 'files' } },
                {
                  name: 'c',
                  projected: { sources: [{ configMap: { name: 'projected' } }, { secret: { name: 's' } }] },
                },
              ],
              containers: [
                {
                  name: 'x',
                  env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'env-cm', key: 'a' } } }],
                  envFrom: [{ configMapRef: { name: 'envfrom-cm' } }, { secretRef: { name: 's' } }],
                },
              ],
            },
          },
        }),
      ),
      [
        'PersistentVolumeClaim/weights',
        'ConfigMap/files',
        'ConfigMap/projected',
        'ConfigMap/env-cm',
        'ConfigMap/envfrom-cm',
      ],
    ],
    ['nothing', ws(presetPlan()), []],
  ])('%s', (_name, workspace, expected) => {
    expect(references(workspace).map((r) => `${r.kind}/${r.name}`)).toEqual(expected);
  });
});

describe('assignPassThrough', () => {
  const a = ws(presetPlan({ name: 'a', config: 'shared' }));
  const b = ws(presetPlan({ name: 'b', config: 'shared' }));
  const other = ws(presetPlan({ name: 'c', namespace: 'other', config: 'shared' }));

  it('puts a shared object in the first referencing Workspace by namespace/name only', () => {
    const shared = configMap('shared');
    const result = assignPassThrough([b, a], [shared]);
    expect([...result.byWorkspace.entries()]).toEqual([['default/a', [shared]]]);
    expect(result.unreferenced).toEqual([]);
  });

  it('matches references within the namespace only', () => {
    const inOther = configMap('shared', 'other');
    const result = assignPassThrough([a, other], [inOther]);
    expect([...result.byWorkspace.keys()]).toEqual(['other/c']);
  });

  it('returns objects nobody references, sorted', () => {
    const result = assignPassThrough([a], [pvc('zeta'), configMap('unused'), configMap('shared')]);
    expect(result.unreferenced.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/unused',
      'PersistentVolumeClaim/zeta',
    ]);
  });

  it('refuses the same object defined twice', () => {
    expect(() => assignPassThrough([a], [configMap('x'), configMap('x', 'default')])).toThrow(SpecError);
  });
});

describe('passThroughManifest', () => {
  it('makes the namespace explicit, adds the labels and drops what the server owns', () => {
    const exported: SourceObject = {
      ...pvc('weights'),
      metadata: {
        name: 'weights',
        labels: { keep: 'me' },
        uid: 'u',
        resourceVersion: '9',
        creationTimestamp: 'x',
        managedFields: [],
      } as never,
      status: { phase: 'Bound' },
    };
    const manifest = passThroughManifest(exported, 'phi-3');
    expect(manifest.metadata).toEqual({
      name: 'weights',
      namespace: 'default',
      labels: { keep: 'me', 'kaito.sh/workspace': 'phi-3', 'app.kubernetes.io/managed-by': 'kaito-gitops' },
    });
    expect(manifest).not.toHaveProperty('status');
    expect(manifest['spec']).toEqual(pvc('x')['spec']);
  });
});
