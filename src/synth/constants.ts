/**
 * Names, paths and images only the generated objects share among themselves. The contract names
 * (labels, annotations, the GPU resource) are `src/api`'s; the paths and ports the server command also
 * uses are the catalog's pod contract.
 */
import { KAITO_GITOPS_IMAGE_REPOSITORY, KAITO_GITOPS_VERSION } from '../api/index.ts';
import type { HelperImages } from './types.ts';

/** Set by the StatefulSet controller on every pod (Kubernetes ≥ 1.28): 0 is the leader. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';

export const SHM_PATH = '/dev/shm';

export const DEFAULT_IMAGES: Readonly<HelperImages> = {
  dataDownloader: 'curlimages/curl:8.11.1',
  kaitoGitops: `${KAITO_GITOPS_IMAGE_REPOSITORY}:${KAITO_GITOPS_VERSION}`,
};
