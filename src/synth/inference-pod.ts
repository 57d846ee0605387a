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
import { WEIGHTS_DIR, type PresetInferencePlan } from '../catalog/index.ts';
import { adapterParts } from './adapters.ts';
import { workspaceLabels } from './labels.ts';
import { configVolume, gpuResources, planEnv, podIndex, pullSecrets, sharedMemory } from './pod-parts.ts';
import { inferenceProbes } from './probes.ts';
import { gpuTolerations, requiredNodeAffinity } from './scheduling.ts';

export function presetPodTemplate(plan: PresetInferencePlan): V1PodTemplateSpec {
  const workspace = plan.workspace;
  const inference = workspace.inference;
  const options = inference.preset.presetOptions ?? {};
  const adapters = adapterParts(inference.adapters);

  const parts = [sharedMemory()];
  // vLLM downloads the weights at start-up; an emptyDir keeps them across container restarts.
  if (plan.runtime === 'vllm') {
    parts.push({
      volume: { name: 'model-weights-volume', emptyDir: {} },
      mount: { name: 'model-weights-volume', mountPath: WEIGHTS_DIR },
    });
  }
  if (inference.config !== undefined) parts.push(configVolume(inference.config));
  const volumes: V1Volume[] = [...parts.map((p) => p.volume), ...adapters.volumes];
  const mounts: V1VolumeMount[] = [...parts.map((p) => p.mount), ...adapters.mounts];

  const env: V1EnvVar[] = planEnv(plan);
  if (plan.multiNode) env.push(podIndex());
  env.push(...adapters.env);

  const ports: V1ContainerPort[] = plan.servicePorts.map((p) => ({
    name: p.name,
    containerPort: p.targetPort,
  }));

  const container: V1Container = {
    name: workspace.name,
    image: plan.image,
    command: [...plan.command],
    ports,
    resources: gpuResources(plan.gpusPerNode, namespacedKey(workspace.namespace, workspace.name)),
    volumeMounts: mounts,
    ...inferenceProbes(plan),
  };
  if (env.length > 0) container.env = env;

  return {
    metadata: { labels: workspaceLabels(workspace.name) },
    spec: {
      containers: [container],
      initContainers: adapters.initContainers.length > 0 ? adapters.initContainers : undefined,
      volumes,
      imagePullSecrets: pullSecrets([...(options.imagePullSecrets ?? []), ...adapters.imagePullSecrets]),
      tolerations: gpuTolerations(),
      affinity: requiredNodeAffinity(workspace.resource.labelSelector),
      // Service links would inject `<SERVICE>_PORT=tcp://...` for every Service in the namespace; a
      // Service named `vllm` (or a Workspace of that name) then sets VLLM_PORT and vLLM refuses to start.
      enableServiceLinks: false,
    },
  };
}
