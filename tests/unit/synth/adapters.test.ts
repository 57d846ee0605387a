import { describe, expect, it } from 'vitest';
import type { AdapterSpec } from '../../../src/api/types.ts';
import { KAITO_GITOPS_VERSION } from '../../../src/api/index.ts';
import { SpecError } from '../../../src/errors.ts';
import { adapterProblems } from '../../../src/synth/adapters.ts';
import { synthesize } from '../../../src/synth/index.ts';
import { mainContainer, names, podSpec } from '../../support/manifests.ts';
import { presetPlan } from '../../support/plans.ts';

const imageAdapter: AdapterSpec = {
  source: { name: 'phi-3-adapter', image: 'myacr.azurecr.io/adapter:0.0.1', imagePullSecrets: ['acr-pull'] },
  strength: '0.6',
};
const volumeAdapter: AdapterSpec = {
  source: { name: 'legal', volumeSource: { persistentVolumeClaim: { claimName: 'adapters' } } },
};

describe('adapters', () => {
  const manifests = synthesize(
    presetPlan({ adapters: [imageAdapter, volumeAdapter], imagePullSecrets: ['base'] }),
  );
  const spec = podSpec(manifests);

  it('pulls each image adapter into /mnt/adapter/<name> with the kaito-gitops image, never running the adapter image', () => {
    expect(spec.initContainers).toEqual([
      {
        name: 'phi-3-adapter',
        image: `ghcr.io/kaito-gitops/kaito-gitops:${KAITO_GITOPS_VERSION}`,
        args: [
          'adapter',
          'pull',
          'myacr.azurecr.io/adapter:0.0.1',
          '/mnt/adapter/phi-3-adapter',
          '--replace',
          '--registry-config',
          '/etc/kaito-gitops/registry/acr-pull',
        ],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          runAsUser: 1000,
        },
        volumeMounts: [
          { name: 'adapter-volume', mountPath: '/mnt/adapter' },
          { name: 'registry-config-0', mountPath: '/etc/kaito-gitops/registry/acr-pull', readOnly: true },
        ],
      },
    ]);
  });

  it("mounts the adapter's pull secrets as docker config, read-only, not as the pod's imagePullSecrets", () => {
    expect(spec.volumes).toContainEqual({ name: 'registry-config-0', secret: { secretName: 'acr-pull' } });
    expect(spec.imagePullSecrets).toEqual([{ name: 'base' }]);
  });

  it('takes the kaito-gitops image from the helper images option (mirrors)', () => {
    const mirrored = synthesize(presetPlan({ adapters: [imageAdapter] }), {
      images: { kaitoGitops: 'mirror.local/kaito-gitops:0.1.0' },
    });
    expect(podSpec(mirrored).initContainers?.[0]?.image).toBe('mirror.local/kaito-gitops:0.1.0');
  });

  it('shares an emptyDir at /mnt/adapter and mounts volume adapters read-only under it', () => {
    expect(spec.volumes).toContainEqual({ name: 'adapter-volume', emptyDir: {} });
    expect(spec.volumes).toContainEqual({
      name: 'adapter-volume-legal',
      persistentVolumeClaim: { claimName: 'adapters' },
    });
    expect(mainContainer(manifests).volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'adapter-volume', mountPath: '/mnt/adapter' },
        { name: 'adapter-volume-legal', mountPath: '/mnt/adapter/legal', readOnly: true },
      ]),
    );
  });

  it('passes each strength as an env var named after the adapter (default 1.0)', () => {
    expect(mainContainer(manifests).env).toEqual([
      { name: 'phi-3-adapter', value: '0.6' },
      { name: 'legal', value: '1.0' },
    ]);
  });

  it('adds nothing without adapters', () => {
    const plain = podSpec(synthesize(presetPlan()));
    expect(plain).not.toHaveProperty('initContainers');
    expect(names(plain.volumes)).not.toContain('adapter-volume');
  });
});

describe('adapterProblems', () => {
  const named = (name: string | undefined, volume = false): AdapterSpec => ({
    source: volume ? { name, volumeSource: { emptyDir: {} } } : { name, image: 'x/y:1' },
  });

  it.each<[string, AdapterSpec[], string[]]>([
    ['a DNS label is fine', [named('phi-3-adapter')], []],
    ['a missing name', [named(undefined)], ['Name of Adapter field must be specified']],
    ['dots are not allowed in container names', [named('a.b')], ['must be a DNS-1123 label']],
    ['uppercase', [named('Adapter')], ['must be a DNS-1123 label']],
    [
      'the Workspace name is taken by the server container',
      [named('phi-3')],
      ["is the Workspace's own name"],
    ],
    ['duplicates', [named('a'), named('a')], ['Duplicate adapter source name found: a']],
    ['63 characters fit an image adapter', [named('a'.repeat(63))], []],
    [
      'but not a volume adapter (adapter-volume-<name>)',
      [named('a'.repeat(63), true)],
      ['at most 48 characters'],
    ],
  ])('%s', (_name, adapters, messages) => {
    const problems = adapterProblems(adapters, 'phi-3');
    expect(problems).toHaveLength(messages.length);
    messages.forEach((message, i) => expect(problems[i]?.message).toContain(message));
  });

  it('makes synthesize throw a SpecError naming the field and the spec file', () => {
    const plan = presetPlan({
      adapters: [imageAdapter, { source: { name: 'Bad_Name', image: 'x/y:1' } }],
      file: 'ws/phi.yaml',
    });
    expect(() => synthesize(plan)).toThrow(SpecError);
    try {
      synthesize(plan);
    } catch (error) {
      expect((error as SpecError).file).toBe('ws/phi.yaml');
      expect((error as SpecError).problems[0]?.path).toBe('inference.adapters[1].source.name');
    }
  });
});
