import { describe, expect, it } from 'vitest';
import { KAITO_GITOPS_VERSION } from '../../../src/api/index.ts';
import type { DataDestination, DataSource } from '../../../src/api/types.ts';
import { synthesize } from '../../../src/synth/index.ts';
import { job, kinds, mainContainer, names, podSpec, podTemplate } from '../../support/manifests.ts';
import { tuningPlan } from '../../support/plans.ts';

const volumeOutput: DataDestination = { volumeSource: { persistentVolumeClaim: { claimName: 'results' } } };

describe('tuning Job', () => {
  it('renders the Workspace, its default training parameters and a Job named after it', () => {
    expect(kinds(synthesize(tuningPlan()))).toEqual([
      'Workspace/tuning-phi-3',
      'ConfigMap/tuning-phi-3-qlora-params',
      'NetworkPolicy/tuning-phi-3-tuning-egress',
      'Job/tuning-phi-3',
    ]);
    expect(kinds(synthesize(tuningPlan({ config: 'qlora-params' })))).not.toContain(
      'ConfigMap/tuning-phi-3-qlora-params',
    );
  });

  it('renders the default parameters the plan chose as training_config.yaml and mounts them at /mnt/config', () => {
    const plan = tuningPlan();
    const manifests = synthesize(plan);
    const configMap = manifests.objects.find((o) => o.kind === 'ConfigMap');
    expect(configMap).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'tuning-phi-3-qlora-params',
        namespace: 'default',
        labels: { 'kaito.sh/workspace': 'tuning-phi-3', 'app.kubernetes.io/managed-by': 'kaito-gitops' },
      },
      data: { 'training_config.yaml': plan.trainingConfig.defaults?.trainingConfig },
    });
    expect(mainContainer(manifests).volumeMounts).toContainEqual({
      name: 'config-volume',
      mountPath: '/mnt/config',
    });
    expect(podSpec(manifests).volumes).toContainEqual({
      name: 'config-volume',
      configMap: { name: 'tuning-phi-3-qlora-params' },
    });
  });

  it('does not retry, never restarts, and lets GitOps tools recreate it when the spec changes', () => {
    const manifests = synthesize(tuningPlan());
    expect(job(manifests).spec?.backoffLimit).toBe(0);
    expect(job(manifests).spec).not.toHaveProperty('ttlSecondsAfterFinished');
    expect(podSpec(manifests).restartPolicy).toBe('Never');
    expect(job(manifests).metadata?.annotations).toEqual({
      'kustomize.toolkit.fluxcd.io/force': 'Enabled',
      'argocd.argoproj.io/sync-options': 'Force=true,Replace=true',
    });
  });

  it.each([1, 4])('requests and limits nvidia.com/gpu = %i', (gpus) => {
    expect(mainContainer(synthesize(tuningPlan({ gpusPerNode: gpus }))).resources).toEqual({
      requests: { 'nvidia.com/gpu': String(gpus) },
      limits: { 'nvidia.com/gpu': String(gpus) },
    });
  });

  it('labels the Job and its pods, and schedules on the Workspace nodes with GPU tolerations', () => {
    const manifests = synthesize(tuningPlan());
    const labels = { 'kaito.sh/workspace': 'tuning-phi-3', 'app.kubernetes.io/managed-by': 'kaito-gitops' };
    expect(job(manifests).metadata?.labels).toEqual(labels);
    expect(podTemplate(manifests).metadata?.labels).toEqual(labels);
    const spec = podSpec(manifests);
    expect(spec.tolerations?.map((t) => t.key)).toEqual(['sku', 'nvidia.com/gpu']);
    expect(
      spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    ).toEqual([{ matchExpressions: [{ key: 'apps', operator: 'In', values: ['tuning-phi-3'] }] }]);
  });

  it('mounts shared memory, data, results and the tuning config', () => {
    const manifests = synthesize(tuningPlan({ config: 'qlora-params', output: volumeOutput }));
    expect(mainContainer(manifests).volumeMounts).toEqual([
      { name: 'dshm', mountPath: '/dev/shm' },
      { name: 'data-volume', mountPath: '/mnt/data' },
      { name: 'results-volume', mountPath: '/mnt/results' },
      { name: 'config-volume', mountPath: '/mnt/config' },
    ]);
    expect(podSpec(manifests).volumes).toContainEqual({
      name: 'config-volume',
      configMap: { name: 'qlora-params' },
    });
  });

  it('takes HF_TOKEN from the modelAccessSecret', () => {
    expect(mainContainer(synthesize(tuningPlan({ modelAccessSecret: 'hf' }))).env).toContainEqual({
      name: 'HF_TOKEN',
      valueFrom: { secretKeyRef: { name: 'hf', key: 'HF_TOKEN', optional: true } },
    });
  });
});

describe('tuning input', () => {
  it.each<[string, DataSource, string | undefined, unknown]>([
    [
      'urls download with curl',
      { urls: ['https://a.example/x.parquet', 'https://b.example/y.parquet'] },
      'data-downloader',
      { emptyDir: {} },
    ],
    [
      'an image is pulled into /mnt/data by the kaito-gitops image',
      { image: 'myacr.azurecr.io/data:1', imagePullSecrets: ['acr'] },
      'data-puller',
      { emptyDir: {} },
    ],
    [
      'a volume is mounted as is',
      { volumeSource: { persistentVolumeClaim: { claimName: 'input' } } },
      undefined,
      {
        persistentVolumeClaim: { claimName: 'input' },
      },
    ],
  ])('%s', (_name, input, initName, volume) => {
    const spec = podSpec(synthesize(tuningPlan({ input, output: volumeOutput })));
    expect(spec.volumes).toContainEqual({ name: 'data-volume', ...(volume as object) });
    if (initName === undefined) {
      expect(spec).not.toHaveProperty('initContainers');
      return;
    }
    expect(names(spec.initContainers)).toEqual([initName]);
    expect(spec.initContainers?.[0]?.volumeMounts?.[0]).toEqual({
      name: 'data-volume',
      mountPath: '/mnt/data',
    });
  });

  it('hands the URLs to the downloader through the environment, never through the script', () => {
    const urls = ['https://a.example/x.parquet?sig=1&x=2', 'https://b.example/$(reboot)'];
    const init = podSpec(synthesize(tuningPlan({ input: { urls } }))).initContainers![0]!;
    expect(init.image).toBe('curlimages/curl:8.11.1');
    expect(init.env).toEqual([
      { name: 'DATA_URLS', value: urls.join(' ') },
      { name: 'DATA_VOLUME_PATH', value: '/mnt/data' },
    ]);
    expect(init.command?.join(' ')).not.toContain('example');
    expect(init.command?.join(' ')).not.toContain('${');
  });

  it('pulls an input image with adapter pull, its pull secrets mounted as docker config', () => {
    const spec = podSpec(synthesize(tuningPlan({ input: { image: 'x/y:1', imagePullSecrets: ['acr'] } })));
    expect(spec).not.toHaveProperty('imagePullSecrets');
    expect(spec.initContainers?.[0]).toMatchObject({
      image: `ghcr.io/kaito-gitops/kaito-gitops:${KAITO_GITOPS_VERSION}`,
      args: [
        'adapter',
        'pull',
        'x/y:1',
        '/mnt/data',
        '--replace',
        '--registry-config',
        '/etc/kaito-gitops/registry/acr',
      ],
    });
    expect(spec.initContainers?.[0]).not.toHaveProperty('command');
    expect(spec.volumes).toContainEqual({ name: 'registry-config-0', secret: { secretName: 'acr' } });
  });

  it('takes helper images from the options', () => {
    const manifests = synthesize(tuningPlan(), {
      images: { dataDownloader: 'mirror.local/curl:8', kaitoGitops: 'mirror.local/kaito-gitops:0.1.0' },
    });
    expect(podSpec(manifests).initContainers?.[0]?.image).toBe('mirror.local/curl:8');
    expect(podSpec(manifests).containers[1]?.image).toBe('mirror.local/kaito-gitops:0.1.0');
  });
});

describe('tuning output', () => {
  it('mounts an output volume at /mnt/results and adds no pusher', () => {
    const spec = podSpec(synthesize(tuningPlan({ output: volumeOutput })));
    expect(spec.volumes).toContainEqual({
      name: 'results-volume',
      persistentVolumeClaim: { claimName: 'results' },
    });
    expect(names(spec.containers)).toEqual(['tuning-phi-3']);
  });

  it('pushes an image output from the pod: adapter push with the push secret read-only and a termination message', () => {
    const spec = podSpec(
      synthesize(tuningPlan({ output: { image: 'acr.io/out:1', imagePushSecret: 'push' } })),
    );
    expect(spec.volumes).toContainEqual({ name: 'results-volume', emptyDir: {} });
    expect(spec.volumes).toContainEqual({ name: 'push-secret', secret: { secretName: 'push' } });
    expect(spec.shareProcessNamespace).toBe(true);
    const pusher = spec.containers[1]!;
    expect(pusher).toMatchObject({
      name: 'pusher',
      image: `ghcr.io/kaito-gitops/kaito-gitops:${KAITO_GITOPS_VERSION}`,
      args: [
        'adapter',
        'push',
        '/mnt/results',
        'acr.io/out:1',
        '--registry-config',
        '/etc/kaito-gitops/push',
        '--model',
        'phi-3-mini-128k-instruct',
        '--wait-for',
        'fine_tuning_completed.txt',
        '--fail-when-alone',
        '--termination-message',
        '/dev/termination-log',
      ],
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      securityContext: { readOnlyRootFilesystem: true, runAsNonRoot: true },
      volumeMounts: [
        { name: 'results-volume', mountPath: '/mnt/results', readOnly: true },
        { name: 'push-secret', mountPath: '/etc/kaito-gitops/push', readOnly: true },
      ],
    });
    expect(pusher).not.toHaveProperty('command');
    expect(JSON.stringify(spec)).not.toMatch(/kaito-gitops\/(pushed|push-failed)/);
  });
});
