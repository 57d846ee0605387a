/** The pod of a preset inference Workspace: Kaito's server container with its volumes and scheduling. */
import type {
  V1Container,
  V1ContainerPort,
  V1EnvVar,
  V1PodTemplateSpec,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { namespacedKey } from '../api/index.ts';
import { CUDA_HOME, KV_EVENTS_PORT, WEIGHTS_DIR, type PresetInferencePlan } from '../catalog/index.ts';
import { adapterParts } from './adapters.ts';
import { workspaceLabels } from './labels.ts';
import { configVolume, gpuResources, planEnv, podIndex, pullSecrets, sharedMemory } from './pod-parts.ts';
import { inferenceProbes } from './probes.ts';
import { gpuTolerations, requiredNodeAffinity, workspaceNodeRequirements } from './scheduling.ts';
import type { HelperImages } from './types.ts';

/**
 * Models whose vLLM kernels are compiled at run time need nvcc, which Kaito's base image lacks: as Kaito
 * v0.12 does (configureCUDAToolkitVolume, setInferenceContainers), an init container running the base
 * image installs a CUDA toolkit into a node directory once per node (serialized with flock), and the
 * server mounts it read-only with CUDA_HOME pointing there.
 */
function cudaToolkit(image: string): { init: V1Container; volume: V1Volume; mount: V1VolumeMount } {
  const name = 'cuda-toolkit-hostpath';
  return {
    init: {
      name: 'cuda-toolkit-provisioner',
      image,
      command: ['/bin/sh', '-c', 'flock "$1" /workspace/cuda-provision.sh "$1"', 'sh', CUDA_HOME],
      volumeMounts: [{ name, mountPath: CUDA_HOME }],
    },
    volume: { name, hostPath: { path: CUDA_HOME, type: 'DirectoryOrCreate' } },
    mount: { name, mountPath: CUDA_HOME, readOnly: true },
  };
}

export function presetPodTemplate(plan: PresetInferencePlan, images: HelperImages): V1PodTemplateSpec {
  const workspace = plan.workspace;
  const inference = workspace.inference;
  const options = inference.preset.presetOptions ?? {};
  const adapters = adapterParts(inference.adapters, images.kaitoGitops);

  const parts = [sharedMemory()];
  // vLLM downloads the weights at start-up; an emptyDir keeps them across container restarts.
  if (plan.runtime === 'vllm') {
    parts.push({
      volume: { name: 'model-weights-volume', emptyDir: {} },
      mount: { name: 'model-weights-volume', mountPath: WEIGHTS_DIR },
    });
  }
  if (inference.config !== undefined) parts.push(configVolume(inference.config));
  const cuda = plan.cudaToolkit ? cudaToolkit(plan.image) : undefined;
  if (cuda) parts.push(cuda);
  const volumes: V1Volume[] = [...parts.map((p) => p.volume), ...adapters.volumes];
  const mounts: V1VolumeMount[] = [...parts.map((p) => p.mount), ...adapters.mounts];

  const env: V1EnvVar[] = planEnv(plan);
  if (cuda) env.push({ name: 'CUDA_HOME', value: CUDA_HOME });
  if (plan.multiNode) env.push(podIndex());
  env.push(...adapters.env);

  const ports: V1ContainerPort[] = plan.servicePorts.map((p) => ({
    name: p.name,
    containerPort: p.targetPort,
  }));
  if (plan.runtime === 'vllm') ports.push({ name: 'kv-events', containerPort: KV_EVENTS_PORT });

  const container: V1Container = {
    name: workspace.name,
    image: plan.image,
    command: [...plan.command],
    ports,
    resources: gpuResources(
      plan.gpusPerNode,
      namespacedKey(workspace.namespace, workspace.name),
      plan.partition?.mode === 'mig' ? plan.partition.resource : undefined,
    ),
    volumeMounts: mounts,
    ...inferenceProbes(plan),
  };
  if (env.length > 0) container.env = env;

  return {
    metadata: { labels: workspaceLabels(workspace.name) },
    spec: {
      containers: [container],
      initContainers:
        cuda || adapters.initContainers.length > 0
          ? [...(cuda ? [cuda.init] : []), ...adapters.initContainers]
          : undefined,
      volumes,
      imagePullSecrets: pullSecrets(options.imagePullSecrets ?? []),
      tolerations: gpuTolerations(plan),
      affinity: requiredNodeAffinity(workspace.resource.labelSelector, workspaceNodeRequirements(plan)),
      // Service links would inject `<SERVICE>_PORT=tcp://...` for every Service in the namespace; a
      // Service named `vllm` (or a Workspace of that name) then sets VLLM_PORT and vLLM refuses to start.
      enableServiceLinks: false,
    },
  };
}
