/**
 * Pieces shared by the inference and tuning pods: GPU resources, shared memory, config volume,
 * Hugging Face token, pull secrets.
 */
import { GPU_RESOURCE } from '../api/index.ts';
import { CONFIG_DIR, type WorkspacePlan } from '../catalog/index.ts';
import type {
  V1EnvVar,
  V1LocalObjectReference,
  V1ResourceRequirements,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { POD_INDEX_LABEL, SHM_PATH } from './constants.ts';

export interface VolumeWithMount {
  volume: V1Volume;
  mount: V1VolumeMount;
}

/**
 * GPU requests and limits and nothing else, on purpose: the pod owns its GPU node (tainted, selected
 * by label), a CPU limit would throttle the server through CFS quotas, and a memory limit would
 * OOM-kill it while it loads weights. Kaito sets the same; cdk8s-plus' defaults (cpu 1000m/1500m,
 * memory 512Mi/2Gi) would break every model server.
 */
export function gpuResources(
  gpus: number,
  owner: string,
  resource: string = GPU_RESOURCE,
): V1ResourceRequirements {
  if (!Number.isInteger(gpus) || gpus < 1) {
    throw new Error(`plan for ${owner} has gpusPerNode ${gpus}; the catalog must size every GPU workload`);
  }
  return { requests: { [resource]: String(gpus) }, limits: { [resource]: String(gpus) } };
}

/** `/dev/shm` in memory: PyTorch and NCCL need more than the container runtime's 64 MiB. */
export function sharedMemory(): VolumeWithMount {
  return {
    volume: { name: 'dshm', emptyDir: { medium: 'Memory' } },
    mount: { name: 'dshm', mountPath: SHM_PATH },
  };
}

/** A ConfigMap (`inference.config`, `tuning.config`) at `/mnt/config`. */
export function configVolume(configMap: string): VolumeWithMount {
  return {
    volume: { name: 'config-volume', configMap: { name: configMap } },
    mount: { name: 'config-volume', mountPath: CONFIG_DIR },
  };
}

/**
 * `HF_TOKEN` from the `modelAccessSecret`, optional as in Kaito (SetHFToken): the pod starts without the
 * Secret, and a public model downloads without it.
 */
export function huggingFaceToken(secret: string): V1EnvVar {
  return { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: secret, key: 'HF_TOKEN', optional: true } } };
}

/** `POD_INDEX` (0 = leader) for multi-node workloads, from the label the StatefulSet controller sets. */
export function podIndex(): V1EnvVar {
  return {
    name: 'POD_INDEX',
    valueFrom: { fieldRef: { fieldPath: `metadata.labels['${POD_INDEX_LABEL}']` } },
  };
}

/** Pull secret references, first occurrence kept; undefined when there are none. */
export function pullSecrets(names: readonly string[]): V1LocalObjectReference[] | undefined {
  const unique = [...new Set(names)];
  return unique.length === 0 ? undefined : unique.map((name) => ({ name }));
}

/**
 * The main container's environment as the plan decides it (runtime switches, the Hugging Face token),
 * sorted by name so the output is stable.
 */
export function planEnv(plan: WorkspacePlan): V1EnvVar[] {
  const env: V1EnvVar[] = Object.keys(plan.env)
    .sort()
    .map((name) => ({ name, value: plan.env[name] }));
  if (plan.huggingFaceTokenSecret !== undefined) env.push(huggingFaceToken(plan.huggingFaceTokenSecret));
  return env;
}
