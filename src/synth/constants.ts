/**
 * Names, ports and paths that the generated objects share with Kaito's images and with each other.
 * Kaito's servers, training scripts and adapter loader read these paths, so they are not options.
 */
import type { HelperImages } from './types.ts';

export const WORKSPACE_LABEL = 'kaito.sh/workspace';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'kaito-gitops';
/** Set by the StatefulSet controller on every pod (Kubernetes ≥ 1.28): 0 is the leader. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** `kaito.sh/enablelb: "True"` (exactly, as Kaito compares it) makes the Service a LoadBalancer. */
export const ENABLE_LB_ANNOTATION = 'kaito.sh/enablelb';

export const HTTP_PORT = 5000;
export const SERVICE_PORT = 80;
/** torch.distributed rendezvous port of the transformers runtime (`torchrun`). */
export const TORCH_PORT = 29500;

export const SHM_PATH = '/dev/shm';
export const CONFIG_PATH = '/mnt/config';
export const ADAPTER_PATH = '/mnt/adapter';
export const WEIGHTS_PATH = '/workspace/weights';
export const DATA_PATH = '/mnt/data';
export const RESULTS_PATH = '/mnt/results';
/** Kaito's fine-tuning script writes this file into the output directory when it is done. */
export const TUNING_DONE_FILE = `${RESULTS_PATH}/fine_tuning_completed.txt`;
/** The agent writes one of these once it has pushed (or given up on) the adapter image. */
export const RESULTS_PUSHED_FILE = `${RESULTS_PATH}/.kaito-gitops/pushed`;
export const RESULTS_PUSH_FAILED_FILE = `${RESULTS_PATH}/.kaito-gitops/push-failed`;

export const GPU_RESOURCE = 'nvidia.com/gpu';

export const DEFAULT_IMAGES: Readonly<HelperImages> = {
  dataDownloader: 'curlimages/curl:8.11.1',
  resultsKeeper: 'busybox:1.36.1',
};
