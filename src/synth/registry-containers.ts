/**
 * Containers that run the kaito-gitops image to move adapter images in and out of a pod: `adapter pull`
 * init containers (inference adapters, tuning input) and the tuning Job's `adapter push` container.
 * The registry credentials are the Workspace's own Secrets (`imagePullSecrets`, `imagePushSecret`),
 * mounted read-only as docker config directories; the kubelet reads them, the agent never does.
 */
import type { V1Container, V1SecurityContext, V1Volume, V1VolumeMount } from '@kubernetes/client-node';

const REGISTRY_CONFIG_DIR = '/etc/kaito-gitops/registry';

/** Non-root, nothing writable but the volumes (the image's `node` user, uid 1000). */
export const HELPER_SECURITY_CONTEXT: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 1000,
};

/** One read-only volume per registry Secret, shared by every container of the pod that needs it. */
export class RegistrySecrets {
  private readonly names = new Map<string, string>();

  /** Mounts and `--registry-config` flags for these Secrets (first match wins, as given). */
  use(secrets: readonly string[]): { mounts: V1VolumeMount[]; args: string[] } {
    const mounts: V1VolumeMount[] = [];
    const args: string[] = [];
    for (const secret of secrets) {
      let volume = this.names.get(secret);
      if (volume === undefined) {
        volume = `registry-config-${this.names.size}`;
        this.names.set(secret, volume);
      }
      const path = `${REGISTRY_CONFIG_DIR}/${secret}`;
      if (mounts.some((m) => m.mountPath === path)) continue;
      mounts.push({ name: volume, mountPath: path, readOnly: true });
      args.push('--registry-config', path);
    }
    return { mounts, args };
  }

  volumes(): V1Volume[] {
    return [...this.names].map(([secretName, name]) => ({ name, secret: { secretName } }));
  }
}

/** An init container that writes the files of `image` (any adapter image format) into `target`. */
export function pullContainer(options: {
  name: string;
  helperImage: string;
  image: string;
  target: string;
  volumeMounts: V1VolumeMount[];
  pullSecrets: readonly string[];
  secrets: RegistrySecrets;
}): V1Container {
  const credentials = options.secrets.use(options.pullSecrets);
  return {
    name: options.name,
    image: options.helperImage,
    // `--replace`: a pod restart re-runs init containers over the emptyDir they filled before.
    args: ['adapter', 'pull', options.image, options.target, '--replace', ...credentials.args],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    securityContext: HELPER_SECURITY_CONTEXT,
    volumeMounts: [...options.volumeMounts, ...credentials.mounts],
  };
}
