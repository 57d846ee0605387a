/**
 * The names kaito-gitops shares with Kaito, Kubernetes and the GitOps tools: the Workspace API, the
 * labels and annotations on Workspaces, generated objects and nodes, and the GPU taint. Each is written
 * here once; every folder imports it from `src/api`. (What the pod and its server command must agree on,
 * paths and ports, lives in `src/catalog/pod-contract.ts`.)
 */

import pkg from '../../package.json' with { type: 'json' };

/** The kaito-gitops version: the image tag of the agent and of the helper containers synthesis adds. */
export const KAITO_GITOPS_VERSION: string = pkg.version;
/** Where the kaito-gitops image is published; a fork changes this. */
export const KAITO_GITOPS_IMAGE_REPOSITORY = 'ghcr.io/kaito-gitops/kaito-gitops';

/** Kaito's API group. */
export const KAITO_GROUP = 'kaito.sh';
/** The Workspace versions kaito-gitops reads, oldest first. */
export const API_VERSIONS = ['kaito.sh/v1alpha1', 'kaito.sh/v1beta1'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];
export const WORKSPACE_KIND = 'Workspace';
/** The version the cluster stores and serves every Workspace as; the agent watches and patches this one. */
export const WORKSPACE_STORAGE_VERSION = 'v1beta1';
/** The Workspace resource as the API server addresses it. */
export const WORKSPACE_RESOURCE = {
  group: KAITO_GROUP,
  version: WORKSPACE_STORAGE_VERSION,
  plural: 'workspaces',
} as const;

/** On every generated object and every node provisioned for a Workspace: the Workspace's name. */
export const WORKSPACE_LABEL = 'kaito.sh/workspace';
/** On cluster-scoped objects (nodes, NodeClaims) provisioned for a Workspace: its namespace. */
export const WORKSPACE_NAMESPACE_LABEL = 'kaito.sh/workspacenamespace';
/** Kaito's machine label on the AKS agent pools it creates. */
export const MACHINE_TYPE_LABEL = 'kaito.sh/machine-type';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** The value of {@link MANAGED_BY_LABEL} on everything kaito-gitops generates or provisions. */
export const MANAGED_BY = 'kaito-gitops';
/** The well-known node label holding the VM size / instance type. */
export const INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';

/** `vllm` | `transformers`; written explicitly on every rendered Workspace. */
export const RUNTIME_ANNOTATION = 'kaito.sh/runtime';
/** `ubuntu` | `azurelinux`: the node image the provisioner asks for. */
export const NODE_IMAGE_FAMILY_ANNOTATION = 'kaito.sh/node-image-family';
/** vLLM `--performance-mode`; `balanced` (the default) adds nothing. */
export const PERFORMANCE_MODE_ANNOTATION = 'kaito.sh/performance-mode';
export const USE_LOCAL_WEIGHTS_ANNOTATION = 'kaito.sh/use-local-weights';
/** Present (any value): the GPU memory checks are skipped, as Kaito skips them. */
export const BYPASS_RESOURCE_CHECKS_ANNOTATION = 'kaito.sh/bypass-resource-checks';
/** `"True"` (exactly, as Kaito compares it) makes the Workspace's Service a LoadBalancer. */
export const ENABLE_LB_ANNOTATION = 'kaito.sh/enablelb';
/** Provenance sync stamps on every rendered Workspace (the source repository URL without credentials). */
export const SOURCE_REPOSITORY_ANNOTATION = 'gitops.kaito.sh/source-repository';
/** The spec's path in the source repository. */
export const SOURCE_PATH_ANNOTATION = 'gitops.kaito.sh/source-path';
/** The source commit at which this Workspace's rendered output last changed; the agent reports on it. */
export const SOURCE_COMMIT_ANNOTATION = 'gitops.kaito.sh/source-commit';
/** `byo` marks a Workspace's nodes as bring-your-own (besides `resource.preferredNodes`). */
export const BYO_NODES_ANNOTATION = 'kaito-gitops.io/nodes';
/**
 * On a rendered Workspace whose preset is a Hugging Face ID outside the catalog: the model's facts as
 * `plan` sized them (compact JSON), so the agent plans it as synth did, without the cache file.
 */
export const HUGGING_FACE_MODEL_ANNOTATION = 'kaito-gitops.io/huggingface-model';

/** The extended resource GPU pods request and GPU nodes report. */
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** The taint on Kaito's GPU node pools (`sku=gpu:NoSchedule`); generated pods tolerate it. */
export const GPU_TAINT = { key: 'sku', value: 'gpu', effect: 'NoSchedule' } as const;
/** The taint on Azure spot node pools; Kaito's pods tolerate it on Azure, and so do generated pods. */
export const SPOT_TAINT = {
  key: 'kubernetes.azure.com/scalesetpriority',
  value: 'spot',
  effect: 'NoSchedule',
} as const;
