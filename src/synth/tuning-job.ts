/**
 * The fine-tuning Job of a tuning Workspace. Input data reaches `/mnt/data` (downloaded from URLs,
 * copied out of an image, or a mounted volume); results land in `/mnt/results` (the output volume, or
 * an emptyDir when the output is an image).
 *
 * Image outputs: the push itself belongs to the kaito-gitops agent, not to this pod (no registry
 * credentials in the training pod, no fake push here). The `pusher` container only keeps the results
 * alive: it waits for Kaito's `fine_tuning_completed.txt`, then until the agent, having copied
 * `/mnt/results` out of this container and pushed `tuning.output.image`, writes
 * `/mnt/results/.kaito-gitops/pushed` (or `push-failed` with the reason, which fails the Job). The
 * agent also writes `push-failed` when the training container ends without the completion file.
 */
import type { V1Container, V1EnvVar, V1Job, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { namespacedKey, type TuningSpec } from '../api/index.ts';
import {
  DATA_DIR,
  RESULTS_DIR,
  RESULTS_PUSH_FAILED_FILE,
  RESULTS_PUSHED_FILE,
  TUNING_DONE_FILE,
  type TuningPlan,
} from '../catalog/index.ts';
import { volumeFrom } from './adapters.ts';
import { workspaceLabels } from './labels.ts';
import { configVolume, gpuResources, planEnv, pullSecrets, sharedMemory } from './pod-parts.ts';
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

const EXTRACT_SCRIPT = `mkdir -p ${DATA_DIR} && cp -r /data/. ${DATA_DIR}`;

const KEEP_RESULTS_SCRIPT = `set -eu
echo "The kaito-gitops agent pushes the fine-tuning results to $OUTPUT_IMAGE; this container keeps ${RESULTS_DIR} until it has."
until [ -f ${TUNING_DONE_FILE} ]; do sleep 10; done
echo "Fine-tuning finished; waiting for the kaito-gitops agent to push $OUTPUT_IMAGE."
until [ -f ${RESULTS_PUSHED_FILE} ] || [ -f ${RESULTS_PUSH_FAILED_FILE} ]; do sleep 10; done
if [ -f ${RESULTS_PUSH_FAILED_FILE} ]; then cat ${RESULTS_PUSH_FAILED_FILE}; exit 1; fi
echo "Pushed $OUTPUT_IMAGE."`;

export function tuningJob(plan: TuningPlan, images: HelperImages): V1Job {
  const workspace = plan.workspace;
  const tuning = workspace.tuning;
  const options = tuning.preset.presetOptions ?? {};

  const input = tuningInput(tuning, images);
  const results: V1Volume =
    tuning.output.volumeSource !== undefined
      ? volumeFrom(RESULTS_VOLUME, tuning.output.volumeSource)
      : { name: RESULTS_VOLUME, emptyDir: {} };
  const shm = sharedMemory();
  const config = tuning.config !== undefined ? configVolume(tuning.config) : undefined;

  const volumes: V1Volume[] = [shm.volume, input.volume, results];
  const mounts: V1VolumeMount[] = [
    shm.mount,
    { name: DATA_VOLUME, mountPath: DATA_DIR },
    { name: RESULTS_VOLUME, mountPath: RESULTS_DIR },
  ];
  if (config !== undefined) {
    volumes.push(config.volume);
    mounts.push(config.mount);
  }

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
  if (tuning.output.image !== undefined) containers.push(resultsKeeper(tuning.output.image, images));

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
          initContainers: input.initContainer !== undefined ? [input.initContainer] : undefined,
          containers,
          volumes,
          imagePullSecrets: pullSecrets([...(options.imagePullSecrets ?? []), ...input.pullSecrets]),
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
  pullSecrets: string[];
}

function tuningInput(tuning: TuningSpec, images: HelperImages): TuningInput {
  const source = tuning.input;
  if (source.volumeSource !== undefined) {
    return { volume: volumeFrom(DATA_VOLUME, source.volumeSource), pullSecrets: [] };
  }
  const volume: V1Volume = { name: DATA_VOLUME, emptyDir: {} };
  const mount = { name: DATA_VOLUME, mountPath: DATA_DIR };
  if (source.image !== undefined) {
    return {
      volume,
      initContainer: {
        name: 'data-extractor',
        image: source.image,
        command: ['/bin/sh', '-c', EXTRACT_SCRIPT],
        volumeMounts: [mount],
      },
      pullSecrets: source.imagePullSecrets ?? [],
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
    pullSecrets: [],
  };
}

function resultsKeeper(outputImage: string, images: HelperImages): V1Container {
  return {
    name: 'pusher',
    image: images.resultsKeeper,
    command: ['/bin/sh', '-c', KEEP_RESULTS_SCRIPT],
    env: [{ name: 'OUTPUT_IMAGE', value: outputImage }],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
    volumeMounts: [{ name: RESULTS_VOLUME, mountPath: RESULTS_DIR }],
  };
}
