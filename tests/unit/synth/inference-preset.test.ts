import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../src/synth/index.ts';
import type { WorkspaceManifests } from '../../../src/synth/types.ts';
import {
  deployment,
  kinds,
  mainContainer,
  names,
  podSpec,
  podTemplate,
  service,
  statefulSet,
} from '../../support/manifests.ts';
import { presetPlan, type PresetOptions } from '../../support/plans.ts';

const render = (options: PresetOptions = {}): WorkspaceManifests => synthesize(presetPlan(options));
const requiredTerms = (m: WorkspaceManifests) =>
  podSpec(m).affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;

describe('preset inference: workload shape', () => {
  it('renders Workspace, Service and a Deployment on one node', () => {
    expect(kinds(render())).toEqual(['Workspace/phi-3', 'Service/phi-3', 'Deployment/phi-3']);
  });

  it('uses Recreate with one replica, and a progress deadline covering the model load', () => {
    expect(deployment(render()).spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'Recreate' },
      progressDeadlineSeconds: 1800 + 600,
    });
  });

  it('renders a StatefulSet and a headless Service across several nodes', () => {
    const manifests = render({ nodes: 3, gpusPerNode: 8 });
    expect(kinds(manifests)).toEqual([
      'Workspace/phi-3',
      'Service/phi-3',
      'Service/phi-3-headless',
      'StatefulSet/phi-3',
    ]);
    expect(statefulSet(manifests).spec).toMatchObject({
      replicas: 3,
      podManagementPolicy: 'Parallel',
      serviceName: 'phi-3-headless',
    });
    expect(service(manifests, 'phi-3-headless').spec).toEqual({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { 'kaito.sh/workspace': 'phi-3' },
    });
  });
});

describe('preset inference: Service', () => {
  it.each<[string, PresetOptions, unknown[]]>([
    [
      'vLLM exposes http only',
      { runtime: 'vllm' },
      [{ name: 'http', port: 80, targetPort: 5000, protocol: 'TCP' }],
    ],
    [
      'transformers adds torch 29500',
      { runtime: 'transformers' },
      [
        { name: 'http', port: 80, targetPort: 5000, protocol: 'TCP' },
        { name: 'torch', port: 29500, targetPort: 29500, protocol: 'TCP' },
      ],
    ],
  ])('%s', (_name, options, ports) => {
    expect(service(render(options), 'phi-3').spec?.ports).toEqual(ports);
  });

  it.each([
    [{ 'kaito.sh/enablelb': 'True' }, 'LoadBalancer'],
    [{ 'kaito.sh/enablelb': 'true' }, 'ClusterIP'],
    [{}, 'ClusterIP'],
  ])('annotations %j make a %s', (annotations, type) => {
    expect(service(render({ annotations }), 'phi-3').spec?.type).toBe(type);
  });

  it('sends traffic to the leader only across nodes (workers do not serve HTTP)', () => {
    expect(service(render({ nodes: 2 }), 'phi-3').spec?.selector).toEqual({
      'kaito.sh/workspace': 'phi-3',
      'statefulset.kubernetes.io/pod-name': 'phi-3-0',
    });
  });

  it('gives the transformers headless Service its torchrun port', () => {
    const headless = service(render({ nodes: 2, runtime: 'transformers' }), 'phi-3-headless');
    expect(headless.spec?.ports).toEqual([
      { name: 'torchrun', port: 29500, targetPort: 29500, protocol: 'TCP' },
    ]);
  });
});

describe('preset inference: container', () => {
  it.each([1, 2, 8])(
    'requests and limits nvidia.com/gpu = %i (cdk8s-plus has no GPU field; it must reach the output)',
    (gpus) => {
      expect(mainContainer(render({ gpusPerNode: gpus })).resources).toEqual({
        requests: { 'nvidia.com/gpu': String(gpus) },
        limits: { 'nvidia.com/gpu': String(gpus) },
      });
    },
  );

  it('carries no cdk8s-plus defaults: no CPU/memory limits, no security context, no service account switch', () => {
    const manifests = render();
    const container = mainContainer(manifests);
    expect(Object.keys(container.resources?.limits ?? {})).toEqual(['nvidia.com/gpu']);
    expect(Object.keys(container.resources?.requests ?? {})).toEqual(['nvidia.com/gpu']);
    expect(container).not.toHaveProperty('securityContext');
    expect(podSpec(manifests)).not.toHaveProperty('securityContext');
    expect(podSpec(manifests)).not.toHaveProperty('automountServiceAccountToken');
    expect(JSON.stringify(manifests)).not.toMatch(/1500m|readOnlyRootFilesystem|runAsNonRoot|cdk8s\.io/);
  });

  it('runs the plan image and command, named after the Workspace, on port 5000', () => {
    const plan = presetPlan();
    const container = mainContainer(synthesize(plan));
    expect(container).toMatchObject({ name: 'phi-3', image: plan.image, command: plan.command });
    // vLLM also publishes its KV-cache event stream, as Kaito v0.12 does.
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 5000 },
      { name: 'kv-events', containerPort: 5557 },
    ]);
  });

  it.each<[string, PresetOptions, string]>([
    ['vLLM', { runtime: 'vllm' }, '/health'],
    ['transformers', { runtime: 'transformers' }, '/healthz'],
  ])(
    'probes the %s server on %s, with the readiness timeout in the startup probe',
    (_name, options, path) => {
      const container = mainContainer(render(options));
      const httpGet = { path, port: 5000 };
      expect(container.startupProbe).toEqual({ httpGet, periodSeconds: 10, failureThreshold: 180 });
      expect(container.livenessProbe).toEqual({ httpGet, periodSeconds: 10, failureThreshold: 3 });
      expect(container.readinessProbe).toEqual({ httpGet, periodSeconds: 10 });
    },
  );

  it('probes multi-node vLLM with the multi-node health check against the leader, timed as Kaito v0.12', () => {
    const container = mainContainer(render({ nodes: 2, namespace: 'ml' }));
    const check = (...args: string[]) => ({
      command: [
        'python3',
        '/workspace/vllm/multi-node-health-check.py',
        ...args.slice(0, 1),
        '--leader-address=phi-3-0.phi-3-headless.ml.svc.cluster.local',
        ...args.slice(1),
      ],
    });
    // SetDistributedInferenceProbe: the liveness check lists Ray jobs and actors, so it gets 5 s.
    expect(container.livenessProbe).toEqual({
      exec: check('liveness', '--ray-port=6379'),
      initialDelaySeconds: 60,
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 1,
      terminationGracePeriodSeconds: 1,
    });
    expect(container.readinessProbe).toEqual({
      exec: check('readiness', '--vllm-port=5000'),
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 1,
    });
    expect(container.startupProbe).toEqual({
      exec: check('readiness', '--vllm-port=5000'),
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 180,
    });
    expect(container.env).toEqual([
      {
        name: 'POD_INDEX',
        valueFrom: { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } },
      },
    ]);
  });

  it('mounts /dev/shm in memory, the weights volume for vLLM, and the inference config when set', () => {
    const manifests = render({ config: 'my-config' });
    expect(mainContainer(manifests).volumeMounts).toEqual([
      { name: 'dshm', mountPath: '/dev/shm' },
      { name: 'model-weights-volume', mountPath: '/workspace/weights' },
      { name: 'config-volume', mountPath: '/mnt/config' },
    ]);
    expect(podSpec(manifests).volumes).toEqual([
      { name: 'dshm', emptyDir: { medium: 'Memory' } },
      { name: 'model-weights-volume', emptyDir: {} },
      { name: 'config-volume', configMap: { name: 'my-config' } },
    ]);
  });

  it('has no config volume without inference.config, and no weights volume for transformers', () => {
    expect(names(podSpec(render({ runtime: 'transformers' })).volumes)).toEqual(['dshm']);
  });

  it('takes HF_TOKEN from the modelAccessSecret', () => {
    expect(mainContainer(render({ modelAccessSecret: 'hf-token' })).env).toEqual([
      {
        name: 'HF_TOKEN',
        valueFrom: { secretKeyRef: { name: 'hf-token', key: 'HF_TOKEN', optional: true } },
      },
    ]);
    expect(mainContainer(render())).not.toHaveProperty('env');
  });

  it('uses the presetOptions pull secrets', () => {
    expect(podSpec(render({ imagePullSecrets: ['acr', 'acr', 'other'] })).imagePullSecrets).toEqual([
      { name: 'acr' },
      { name: 'other' },
    ]);
  });

  it('turns service links off (a Service named vllm would set VLLM_PORT)', () => {
    expect(podSpec(render()).enableServiceLinks).toBe(false);
  });
});

describe('preset inference: scheduling and labels', () => {
  it('tolerates the GPU and Azure spot taints, and requires the labelSelector and its own nodes', () => {
    const manifests = render({
      labelSelector: {
        matchLabels: { apps: 'phi' },
        matchExpressions: [{ key: 'pool', operator: 'In', values: ['a', 'b'] }],
      },
    });
    expect(podSpec(manifests).tolerations).toEqual([
      { key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      {
        key: 'kubernetes.azure.com/scalesetpriority',
        operator: 'Equal',
        value: 'spot',
        effect: 'NoSchedule',
      },
    ]);
    // Two Workspaces with the same selector stay off each other's nodes (Kaito BuildNodeSelector).
    expect(requiredTerms(manifests)).toEqual([
      {
        matchExpressions: [
          { key: 'apps', operator: 'In', values: ['phi'] },
          { key: 'pool', operator: 'In', values: ['a', 'b'] },
          { key: 'kaito.sh/workspace', operator: 'In', values: ['phi-3'] },
          { key: 'kaito.sh/workspacenamespace', operator: 'In', values: ['default'] },
        ],
      },
    ]);
  });

  it('leaves bring-your-own nodes to the labelSelector alone, and spot out on other clouds', () => {
    const manifests = synthesize({ ...presetPlan(), pinToWorkspaceNodes: false, cloud: 'aws' });
    expect(requiredTerms(manifests)).toEqual([
      { matchExpressions: [{ key: 'apps', operator: 'In', values: ['phi-3'] }] },
    ]);
    expect(podSpec(manifests).tolerations?.map((t) => t.key)).toEqual(['sku', 'nvidia.com/gpu']);
  });

  it('requests one MIG slice by its resource name and tolerates its taint', () => {
    const manifests = synthesize({
      ...presetPlan(),
      pinToWorkspaceNodes: false,
      partition: { mode: 'mig', profile: '3g.40gb', resource: 'nvidia.com/mig-3g.40gb', sliceGiB: 40 },
    });
    expect(mainContainer(manifests).resources).toEqual({
      requests: { 'nvidia.com/mig-3g.40gb': '1' },
      limits: { 'nvidia.com/mig-3g.40gb': '1' },
    });
    expect(podSpec(manifests).tolerations?.at(-1)).toEqual({
      key: 'nvidia.com/mig-3g.40gb',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
  });

  it('installs a CUDA toolkit on the node for models that compile kernels at run time', () => {
    const plan = { ...presetPlan(), cudaToolkit: true };
    const manifests = synthesize(plan);
    const spec = podSpec(manifests);
    expect(spec.initContainers).toEqual([
      {
        name: 'cuda-toolkit-provisioner',
        image: plan.image,
        command: [
          '/bin/sh',
          '-c',
          'flock "$1" /workspace/cuda-provision.sh "$1"',
          'sh',
          '/opt/kaito/cuda/129',
        ],
        volumeMounts: [{ name: 'cuda-toolkit-hostpath', mountPath: '/opt/kaito/cuda/129' }],
      },
    ]);
    expect(spec.volumes).toContainEqual({
      name: 'cuda-toolkit-hostpath',
      hostPath: { path: '/opt/kaito/cuda/129', type: 'DirectoryOrCreate' },
    });
    expect(mainContainer(manifests).volumeMounts).toContainEqual({
      name: 'cuda-toolkit-hostpath',
      mountPath: '/opt/kaito/cuda/129',
      readOnly: true,
    });
    expect(mainContainer(manifests).env).toContainEqual({ name: 'CUDA_HOME', value: '/opt/kaito/cuda/129' });
  });

  it.each([
    ['single node', {}],
    ['multi node', { nodes: 2 }],
  ])('labels every object and the pods, and selects on the Workspace label only (%s)', (_name, options) => {
    const manifests = render({ ...options, labels: { team: 'ml' } });
    const ours = { 'kaito.sh/workspace': 'phi-3', 'app.kubernetes.io/managed-by': 'kaito-gitops' };
    for (const object of manifests.objects) expect(object.metadata.labels).toMatchObject(ours);
    expect(podTemplate(manifests).metadata?.labels).toEqual(ours);
    expect(manifests.objects.at(-1)?.['spec']).toHaveProperty('selector', {
      matchLabels: { 'kaito.sh/workspace': 'phi-3' },
    });
  });

  it('puts every object in the Workspace namespace, with the explicit names Kaito uses (no hashes)', () => {
    const manifests = render({ namespace: 'team-a', nodes: 2 });
    for (const object of manifests.objects) expect(object.metadata.namespace).toBe('team-a');
    expect(manifests.objects.map((o) => o.metadata.name)).toEqual([
      'phi-3',
      'phi-3',
      'phi-3-headless',
      'phi-3',
    ]);
  });
});
