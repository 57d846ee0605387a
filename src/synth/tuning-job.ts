/**
 * The fine-tuning Job of a tuning Workspace. Input data reaches `/mnt/data` (downloaded from URLs,
 * pulled from an image by `adapter pull`, or a mounted volume); its parameters are the plan's training config
 * at `/mnt/config` (`tuning.config`, or Kaito's defaults for the method); results land where the trainer
 * writes them, the plan's `resultsDir` (that config's `output_dir`), on the output volume, or an emptyDir
 * when the output is an image.
 *
 * Image outputs are pushed by the pod itself: the `pusher` container runs the kaito-gitops image's
 * `adapter push` with the `imagePushSecret` mounted read-only. It waits for Kaito's
 * `fine_tuning_completed.txt`, pushes, writes `image@sha256:...` (or the registry's reason) to its
 * termination message, and exits, so the Job completes and the GPU node is released; a failed push fails
 * the Job. The pod shares one process namespace so the pusher sees the trainer end without the
 * completion file and fails instead of waiting forever. The agent only reads the termination message.
 */
import type { V1Container, V1EnvVar, V1Job, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { namespacedKey, type TuningSpec } from '../api/index.ts';
import { DATA_DIR, TUNING_DONE_FILE, type TuningPlan } from '../catalog/index.ts';
import { volumeFrom } from './adapters.ts';
import { workspaceLabels } from './labels.ts';
import { configVolume, gpuResources, planEnv, pullSecrets, sharedMemory } from './pod-parts.ts';
import { HELPER_SECURITY_CONTEXT, RegistrySecrets, pullContainer } from './registry-containers.ts';
import { gpuTolerations, requiredNodeAffinity } from './scheduling.ts';
import type { HelperImages } from './types.ts';

const DATA_VOLUME = 'data-volume';
const RESULTS_VOLUME = 'results-volume';

// Shell scripts take user values from the environment only (never spliced into the script), and avoid
// `${...}`, which Flux post-build substitution would rewrite if a Kustomization enables it.
const DOWNLOAD_SCRIPT = `set -eu
n=0
for url in $DATA_URLS; do
  n=$((n + 1))
  file=$(basename "$url" | cut -d '?' -f 1)
  [ -n "$file" ] || file="data-$n"
  [ ! -e "$DATA_VOLUME_PATH/$file" ] || file="$n-$file"
  echo "downloading $url to $DATA_VOLUME_PATH/$file"
  curl --fail --silent --show-error --location --retry 5 --retry-all-errors --output "$DATA_VOLUME_PATH/$file" "$url"
done`;

/** Where the pusher leaves its result; the agent reads it from the container's terminated state. */
export const TERMINATION_MESSAGE_PATH = '/dev/termination-log';
const PUSH_CONFIG_DIR = '/etc/kaito-gitops/push';

export function tuningJob(plan: TuningPlan, images: HelperImages): V1Job {
  const workspace = plan.workspace;
  const tuning = workspace.tuning;
  const options = tuning.preset.presetOptions ?? {};

  const secrets = new RegistrySecrets();
  const input = tuningInput(tuning, images, secrets);
  const results: V1Volume =
    tuning.output.volumeSource !== undefined
      ? volumeFrom(RESULTS_VOLUME, tuning.output.volumeSource)
      : { name: RESULTS_VOLUME, emptyDir: {} };
  const shm = sharedMemory();
  // Kaito's trainer always reads /mnt/config: the Workspace's tuning.config, or the defaults rendered for it.
  const config = configVolume(plan.trainingConfig.configMap);

  const volumes: V1Volume[] = [shm.volume, input.volume, results, config.volume];
  const mounts: V1VolumeMount[] = [
    shm.mount,
    { name: DATA_VOLUME, mountPath: DATA_DIR },
    { name: RESULTS_VOLUME, mountPath: plan.resultsDir },
    config.mount,
  ];

  const env: V1EnvVar[] = planEnv(plan);

  const containers: V1Container[] = [
    {
      name: workspace.name,
      image: plan.image,
      command: [...plan.command],
      ports: [{ name: 'http', containerPort: plan.containerPort }],
      resources: gpuResources(plan.gpusPerNode, namespacedKey(workspace.namespace, workspace.name)),
      env,
      volumeMounts: mounts,
    },
  ];
  const output = tuning.output.image;
  if (output !== undefined) {
    containers.push(pusher(output, plan, images));
    if (tuning.output.imagePushSecret !== undefined) {
      volumes.push({ name: PUSH_SECRET_VOLUME, secret: { secretName: tuning.output.imagePushSecret } });
    }
  }
  volumes.push(...secrets.volumes());

  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: workspace.name,
      namespace: workspace.namespace,
      labels: workspaceLabels(workspace.name),
      annotations: {
        // A Job's pod template is immutable: when the tuning spec changes, Flux and Argo CD must delete
        // and recreate the Job (as Kaito does on a new revision) instead of failing the apply.
        'kustomize.toolkit.fluxcd.io/force': 'Enabled',
        'argocd.argoproj.io/sync-options': 'Force=true,Replace=true',
      },
    },
    spec: {
      // A failed fine-tuning run is unlikely to recover by itself (Kaito v0.3: backoffLimit 0), and each
      // retry would hold the GPUs for hours. No ttlSecondsAfterFinished either: a GitOps tool would
      // re-create a deleted Job and train again.
      backoffLimit: 0,
      template: {
        metadata: { labels: workspaceLabels(workspace.name) },
        spec: {
          restartPolicy: 'Never',
          // The pusher tells a trainer that ended without its completion file by its processes being gone.
          shareProcessNamespace: output !== undefined ? true : undefined,
          initContainers: input.initContainer !== undefined ? [input.initContainer] : undefined,
          containers,
          volumes,
          imagePullSecrets: pullSecrets(options.imagePullSecrets ?? []),
          tolerations: gpuTolerations(),
          affinity: requiredNodeAffinity(workspace.resource.labelSelector),
        },
      },
    },
  };
}

interface TuningInput {
  volume: V1Volume;
  initContainer?: V1Container;
}

function tuningInput(tuning: TuningSpec, images: HelperImages, secrets: RegistrySecrets): TuningInput {
  const source = tuning.input;
  if (source.volumeSource !== undefined) return { volume: volumeFrom(DATA_VOLUME, source.volumeSource) };
  const volume: V1Volume = { name: DATA_VOLUME, emptyDir: {} };
  const mount = { name: DATA_VOLUME, mountPath: DATA_DIR };
  if (source.image !== undefined) {
    return {
      volume,
      initContainer: pullContainer({
        name: 'data-puller',
        helperImage: images.kaitoGitops,
        image: source.image,
        target: DATA_DIR,
        volumeMounts: [mount],
        pullSecrets: source.imagePullSecrets ?? [],
        secrets,
      }),
    };
  }
  return {
    volume,
    initContainer: {
      name: 'data-downloader',
      image: images.dataDownloader,
      command: ['/bin/sh', '-c', DOWNLOAD_SCRIPT],
      env: [
        { name: 'DATA_URLS', value: (source.urls ?? []).join(' ') },
        { name: 'DATA_VOLUME_PATH', value: DATA_DIR },
      ],
      volumeMounts: [mount],
    },
  };
}

const PUSH_SECRET_VOLUME = 'push-secret';

function pusher(outputImage: string, plan: TuningPlan, images: HelperImages): V1Container {
  const pushSecret = plan.workspace.tuning.output.imagePushSecret;
  const mounts: V1VolumeMount[] = [{ name: RESULTS_VOLUME, mountPath: plan.resultsDir, readOnly: true }];
  const credentials: string[] = [];
  if (pushSecret !== undefined) {
    mounts.push({ name: PUSH_SECRET_VOLUME, mountPath: PUSH_CONFIG_DIR, readOnly: true });
    credentials.push('--registry-config', PUSH_CONFIG_DIR);
  }
  return {
    name: 'pusher',
    image: images.kaitoGitops,
    args: [
      'adapter',
      'push',
      plan.resultsDir,
      outputImage,
      ...credentials,
      '--model',
      plan.workspace.tuning.preset.name,
      '--wait-for',
      TUNING_DONE_FILE,
      '--fail-when-alone',
      '--termination-message',
      TERMINATION_MESSAGE_PATH,
    ],
    terminationMessagePath: TERMINATION_MESSAGE_PATH,
    terminationMessagePolicy: 'File',
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    securityContext: HELPER_SECURITY_CONTEXT,
    volumeMounts: mounts,
  };
}
