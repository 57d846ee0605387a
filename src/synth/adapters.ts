/**
 * LoRA adapters of a preset inference Workspace: image adapters are pulled into a shared emptyDir by
 * one `adapter pull` init container each (the kaito-gitops image; the adapter's `imagePullSecrets` are
 * its registry credentials), volume adapters are mounted in place, and each adapter's strength reaches the server as an environment variable named
 * after the adapter. vLLM loads every directory under `/mnt/adapter` as a LoRA module of that name;
 * `--enable-lora` is part of the command the catalog builds.
 */
import type { V1Container, V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { AdapterSpec, JsonObject } from '../api/index.ts';
import { ADAPTER_DIR } from '../catalog/index.ts';
import { RegistrySecrets, pullContainer } from './registry-containers.ts';
import type { Problem } from '../errors.ts';

export const ADAPTER_VOLUME = 'adapter-volume';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LABEL = 63;

export interface AdapterParts {
  initContainers: V1Container[];
  volumes: V1Volume[];
  /** Mounts of the main container. */
  mounts: V1VolumeMount[];
  env: V1EnvVar[];
}

/** The volume holding a volume adapter: `adapter-volume-<name>`. */
export function adapterVolumeName(adapterName: string): string {
  return `${ADAPTER_VOLUME}-${adapterName}`;
}

/**
 * What synthesis needs from adapter names: each becomes a container name (image adapters) or part of a
 * volume name (volume adapters), both DNS-1123 labels, and must not clash with the main container,
 * which is named after the Workspace.
 */
export function adapterProblems(
  adapters: readonly AdapterSpec[] | undefined,
  workspaceName: string,
): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  (adapters ?? []).forEach((adapter, index) => {
    const path = `inference.adapters[${index}].source.name`;
    const name = adapter.source.name;
    if (name === undefined || name === '') {
      problems.push({ path, message: 'Name of Adapter field must be specified' });
      return;
    }
    const limit =
      adapter.source.volumeSource !== undefined ? MAX_LABEL - ADAPTER_VOLUME.length - 1 : MAX_LABEL;
    if (!DNS_LABEL.test(name) || name.length > limit) {
      problems.push({
        path,
        message: `"${name}" names a container and a volume, so it must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit) of at most ${limit} characters`,
      });
    }
    if (name === workspaceName) {
      problems.push({
        path,
        message: `"${name}" is the Workspace's own name, which its server container uses; rename the adapter`,
      });
    }
    if (seen.has(name)) problems.push({ path, message: `Duplicate adapter source name found: ${name}` });
    seen.add(name);
  });
  return problems;
}

export function adapterParts(
  adapters: readonly AdapterSpec[] | undefined,
  helperImage: string,
): AdapterParts {
  const parts: AdapterParts = { initContainers: [], volumes: [], mounts: [], env: [] };
  const secrets = new RegistrySecrets();
  if (adapters === undefined || adapters.length === 0) return parts;
  parts.volumes.push({ name: ADAPTER_VOLUME, emptyDir: {} });
  parts.mounts.push({ name: ADAPTER_VOLUME, mountPath: ADAPTER_DIR });
  for (const adapter of adapters) {
    const name = adapter.source.name as string;
    const target = `${ADAPTER_DIR}/${name}`;
    if (adapter.source.volumeSource !== undefined) {
      parts.volumes.push(volumeFrom(adapterVolumeName(name), adapter.source.volumeSource));
      parts.mounts.push({ name: adapterVolumeName(name), mountPath: target, readOnly: true });
    } else if (adapter.source.image !== undefined) {
      // The adapter image is read over the registry API, never run: images without a shell work, and
      // a retrained tag (`:0.0.1` pushed again) is fetched anew on every pod start.
      parts.initContainers.push(
        pullContainer({
          name,
          helperImage,
          image: adapter.source.image,
          target,
          volumeMounts: [{ name: ADAPTER_VOLUME, mountPath: ADAPTER_DIR }],
          pullSecrets: adapter.source.imagePullSecrets ?? [],
          secrets,
        }),
      );
    }
    parts.env.push({ name, value: adapter.strength ?? '1.0' });
  }
  parts.volumes.push(...secrets.volumes());
  return parts;
}

/** A pod volume from a user's corev1.VolumeSource, copied so the spec is never shared or mutated. */
export function volumeFrom(name: string, source: JsonObject): V1Volume {
  return { ...(structuredClone(source) as Omit<V1Volume, 'name'>), name };
}
