/**
 * What a real cluster holds for one Workspace, at the size a real API server serves it: the Workspace
 * as Flux applied it (server-side apply managedFields, a status written by the agent, kubectl's
 * last-applied annotation when someone applied by hand), its Deployment (the synthesized one, with
 * status), one Running pod of it, and a GPU node with the labels, taints, capacity, node info and image
 * list a kubelet reports. The agent benchmark and the informer tests seed these, so trimming informer caches is measured
 * against the fields a cluster really sends.
 */
import type { KubeObject } from './kube-api-server/index.ts';
import type { Json, JsonMap } from './kube-api-server/object.ts';

const IMAGE_DIGEST = 'sha256:' + 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function managedFields(manager: string, operation: 'Apply' | 'Update', fields: Json, sub?: string): JsonMap {
  return {
    manager,
    operation,
    apiVersion: 'v1',
    time: '2026-11-20T10:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: fields,
    ...(sub !== undefined ? { subresource: sub } : {}),
  };
}

/** FieldsV1 for a nested object: every key as `f:<key>`, the way the API server records ownership. */
function fieldsOf(value: unknown): JsonMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [`f:${key}`, fieldsOf(inner)]));
}

export function workspaceObjects(i: number, namespace = 'default'): KubeObject[] {
  const name = `ws-${i}`;
  const labels = { 'kaito.sh/workspace': name, 'app.kubernetes.io/managed-by': 'kaito-gitops' };
  const workspaceBody = {
    resource: { instanceType: 'Standard_NC6s_v3', labelSelector: { matchLabels: { apps: name } } },
    inference: { preset: { name: 'phi-3-mini-4k-instruct' } },
  };
  const workspace: KubeObject = {
    apiVersion: 'kaito.sh/v1beta1',
    kind: 'Workspace',
    metadata: {
      name,
      namespace,
      generation: 1,
      labels: { ...labels, 'kustomize.toolkit.fluxcd.io/name': 'kaito-workspaces' },
      annotations: {
        'kaito.sh/runtime': 'vllm',
        'gitops.kaito.sh/source-repository': 'https://git.example/team/models.git',
        'gitops.kaito.sh/source-path': 'gitops/workspaces',
        'gitops.kaito.sh/source-commit': '0123456789abcdef0123456789abcdef01234567',
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
          apiVersion: 'kaito.sh/v1beta1',
          kind: 'Workspace',
          metadata: { name, namespace, labels },
          ...workspaceBody,
        }),
      },
      managedFields: [
        managedFields('kustomize-controller', 'Apply', fieldsOf({ metadata: { labels }, ...workspaceBody })),
      ],
    },
    ...workspaceBody,
  };
  const container = {
    name,
    image: `mcr.microsoft.com/aks/kaito/kaito-base:0.5.0`,
    command: ['/bin/sh', '-c', 'python3 /workspace/vllm/inference_api.py --served-model-name phi-3'],
    ports: [{ containerPort: 5000, name: 'http', protocol: 'TCP' }],
    env: [
      { name: 'HF_HOME', value: '/workspace/cache' },
      { name: 'VLLM_WORKER_MULTIPROC_METHOD', value: 'spawn' },
    ],
    resources: { limits: { 'nvidia.com/gpu': '1' }, requests: { 'nvidia.com/gpu': '1' } },
    livenessProbe: { httpGet: { path: '/health', port: 5000, scheme: 'HTTP' }, periodSeconds: 10 },
    readinessProbe: { httpGet: { path: '/health', port: 5000, scheme: 'HTTP' }, periodSeconds: 10 },
    volumeMounts: [
      { name: 'dshm', mountPath: '/dev/shm' },
      { name: 'config', mountPath: '/mnt/config' },
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  };
  const podSpec = {
    containers: [container],
    volumes: [
      { name: 'dshm', emptyDir: { medium: 'Memory' } },
      { name: 'config', configMap: { name: `${name}-config`, defaultMode: 420 } },
    ],
    tolerations: [
      { key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'apps', operator: 'In', values: [name] }] }],
        },
      },
    },
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
  };
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace,
      generation: 1,
      labels,
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      managedFields: [
        managedFields('kustomize-controller', 'Apply', fieldsOf({ metadata: { labels }, spec: podSpec })),
        managedFields('kube-controller-manager', 'Update', fieldsOf({ status: {} }), 'status'),
      ],
    },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { 'kaito.sh/workspace': name } },
      template: { metadata: { labels }, spec: podSpec },
    },
    status: {
      observedGeneration: 1,
      replicas: 1,
      readyReplicas: 1,
      updatedReplicas: 1,
      availableReplicas: 1,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
      ],
    },
  };
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${name}-7d9f8b6c5d-x2k4p`,
      namespace,
      labels: { ...labels, 'pod-template-hash': '7d9f8b6c5d' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${name}-7d9f8b6c5d`,
          uid: '5f0c6f9e-2b1e-4c47-9d0a-3a1c2b3d4e5f',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        managedFields('kube-controller-manager', 'Update', fieldsOf({ metadata: { labels }, spec: podSpec })),
        managedFields('kubelet', 'Update', fieldsOf({ status: { conditions: [] } }), 'status'),
      ],
    },
    spec: { ...podSpec, nodeName: `node-${i}`, serviceAccountName: 'default' },
    status: {
      phase: 'Running',
      hostIP: '10.224.0.4',
      podIP: '10.244.1.17',
      startTime: '2026-11-20T10:00:00Z',
      qosClass: 'BestEffort',
      conditions: [
        'PodReadyToStartContainers',
        'Initialized',
        'Ready',
        'ContainersReady',
        'PodScheduled',
      ].map((type) => ({ type, status: 'True', lastTransitionTime: '2026-11-20T10:00:00Z' })),
      containerStatuses: [
        {
          name,
          ready: true,
          started: true,
          restartCount: 0,
          image: container.image,
          imageID: `mcr.microsoft.com/aks/kaito/kaito-base@${IMAGE_DIGEST}`,
          containerID: 'containerd://' + 'a'.repeat(64),
          state: { running: { startedAt: '2026-11-20T10:00:00Z' } },
        },
      ],
    },
  };
  const node: KubeObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: `node-${i}`,
      labels: {
        apps: name,
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': `node-${i}`,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'Standard_NC6s_v3',
        'topology.kubernetes.io/region': 'eastus',
        'topology.kubernetes.io/zone': '0',
        'kubernetes.azure.com/agentpool': `ws${i}`,
        'kubernetes.azure.com/mode': 'user',
        'kubernetes.azure.com/os-sku': 'Ubuntu',
        'kubernetes.azure.com/accelerator': 'nvidia',
        'nvidia.com/gpu.product': 'Tesla-V100-PCIE-16GB',
        'nvidia.com/gpu.count': '1',
        'nvidia.com/gpu.memory': '16384',
        'nvidia.com/gpu.family': 'volta',
        'nvidia.com/cuda.driver.major': '550',
        'nvidia.com/gfd.timestamp': '1763632800',
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        'csi.volume.kubernetes.io/nodeid': JSON.stringify({
          'disk.csi.azure.com': `aks-ws${i}-vmss000000`,
          'file.csi.azure.com': `aks-ws${i}-vmss000000`,
        }),
      },
      managedFields: [
        managedFields('kubelet', 'Update', fieldsOf({ metadata: { labels: {} }, status: {} }), 'status'),
        managedFields('gpu-feature-discovery', 'Update', fieldsOf({ metadata: { labels: {} } })),
      ],
    },
    spec: {
      providerID: `azure:///subscriptions/0000/resourceGroups/mc_rg/providers/Microsoft.Compute/virtualMachineScaleSets/aks-ws${i}-vmss/virtualMachines/0`,
      taints: [{ key: 'sku', value: 'gpu', effect: 'NoSchedule' }],
    },
    status: {
      capacity: {
        cpu: '6',
        memory: '115873768Ki',
        pods: '30',
        'nvidia.com/gpu': '1',
        'ephemeral-storage': '129886128Ki',
      },
      allocatable: { cpu: '5840m', memory: '106843112Ki', pods: '30', 'nvidia.com/gpu': '1' },
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({
        type,
        status: type === 'Ready' ? 'True' : 'False',
        lastHeartbeatTime: '2026-11-20T10:00:00Z',
        lastTransitionTime: '2026-11-20T10:00:00Z',
        reason: type === 'Ready' ? 'KubeletReady' : `KubeletHasNo${type}`,
        message: type === 'Ready' ? 'kubelet is posting ready status' : `kubelet has no ${type}`,
      })),
      addresses: [
        { type: 'InternalIP', address: '10.224.0.4' },
        { type: 'Hostname', address: `aks-ws${i}-vmss000000` },
      ],
      nodeInfo: {
        machineID: 'f'.repeat(32),
        systemUUID: '00000000-0000-0000-0000-000000000000',
        bootID: '11111111-1111-1111-1111-111111111111',
        kernelVersion: '5.15.0-1075-azure',
        osImage: 'Ubuntu 22.04.5 LTS',
        containerRuntimeVersion: 'containerd://1.7.27',
        kubeletVersion: 'v1.31.2',
        kubeProxyVersion: 'v1.31.2',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      // A kubelet reports up to 50 images; 25 of a typical AKS GPU node.
      images: Array.from({ length: 25 }, (_, k) => ({
        names: [
          `mcr.microsoft.com/oss/kubernetes/image-${k}@${IMAGE_DIGEST}`,
          `mcr.microsoft.com/oss/kubernetes/image-${k}:v1.${k}.0`,
        ],
        sizeBytes: 100_000_000 + k,
      })),
    },
  };
  return [node, deployment, pod, workspace];
}
