/**
 * The Helm chart's values: the only things an installation chooses. Everything else in the chart is
 * fixed, so every templated spot is one a test renders both ways.
 */
import { PROVISIONER_KINDS, type ProvisionerKind } from '../agent/index.ts';
import { IMAGE_REPOSITORY } from './identity.ts';

/** The provisioners the agent runs with. */
export const CHART_PROVISIONERS = PROVISIONER_KINDS;
export type ChartProvisioner = ProvisionerKind;

export interface AzureValues {
  /** Client ID of the user-assigned managed identity federated with the agent's ServiceAccount. */
  clientId: string;
  subscriptionId: string;
  /** The AKS cluster's resource group. */
  resourceGroup: string;
  clusterName: string;
}

export interface ChartValues {
  /** Node provisioner the agent runs with (`--provisioner`). @default "nodeclaim" */
  provisioner: ChartProvisioner;
  /** Agent replicas; one leads (Lease), the others wait. @default 1 */
  replicas: number;
  image: {
    /** @default "ghcr.io/kaito-gitops/kaito-gitops" */
    repository: string;
    /** @default the chart's appVersion */
    tag: string;
    /** @default "IfNotPresent" */
    pullPolicy: 'IfNotPresent' | 'Always' | 'Never';
  };
  /** aks only: workload identity and the cluster the agent pools belong to. */
  azure: AzureValues;
  /**
   * Run beside Kaito's own controller (`--coexist`): manage only Workspaces kaito-gitops rendered, with
   * a finalizer of our own. @default false
   */
  coexist: boolean;
  /** Live status after merge (`agent --report`): commit statuses and the pull request comment's table. */
  report: ReportValues;
}

export const REPORT_PROVIDERS = ['', 'github', 'gitlab'] as const;

export interface ReportValues {
  /** `github` or `gitlab`; empty turns live status off. @default "" */
  provider: (typeof REPORT_PROVIDERS)[number];
  /** GitHub Enterprise (`https://HOST/api/v3`) or self-managed GitLab; empty for the public service. @default "" */
  apiUrl: string;
  /**
   * Secret whose keys become the agent's environment (optional: absent, nothing is set):
   * `KAITO_GITOPS_GITHUB_TOKEN`; or a GitHub App's `KAITO_GITOPS_GITHUB_APP_ID`,
   * `KAITO_GITOPS_GITHUB_APP_INSTALLATION_ID` and `KAITO_GITOPS_GITHUB_APP_PRIVATE_KEY`; or
   * `KAITO_GITOPS_GITLAB_TOKEN`. @default "kaito-gitops-report"
   */
  secretName: string;
}

/** Where the image is published; a fork changes this value. */
export const DEFAULT_IMAGE_REPOSITORY = IMAGE_REPOSITORY;

export function defaultValues(appVersion: string): ChartValues {
  return {
    provisioner: 'nodeclaim',
    replicas: 1,
    image: { repository: DEFAULT_IMAGE_REPOSITORY, tag: appVersion, pullPolicy: 'IfNotPresent' },
    azure: { clientId: '', subscriptionId: '', resourceGroup: '', clusterName: '' },
    coexist: false,
    report: { provider: '', apiUrl: '', secretName: 'kaito-gitops-report' },
  };
}

/** Comments for values.yaml, by dotted path. */
export const VALUE_DOCS: Record<string, string> = {
  provisioner:
    'How the agent gets GPU nodes: nodeclaim (Kaito-compatible NodeClaims for gpu-provisioner or Karpenter), aks (AKS agent pools through Azure Resource Manager), byo (your own labelled GPU nodes).',
  replicas: 'Agent replicas; a Lease elects the one that works.',
  image: 'The agent image, built from this repository’s Dockerfile.',
  azure:
    'aks only: the managed identity federated with the agent’s ServiceAccount (workload identity) and the cluster whose agent pools the agent manages.',
  coexist:
    'Run beside Kaito’s own workspace controller: manage only Workspaces rendered by kaito-gitops, with a finalizer of our own. Without it the agent refuses to start while Kaito’s controller runs (README “Living beside Kaito”).',
  report:
    'Live status after merge, off by default: provider github or gitlab sets a commit status per Workspace on its source commit and a status table in the pull request comment. The Secret secretName (optional) holds KAITO_GITOPS_GITHUB_TOKEN, or KAITO_GITOPS_GITHUB_APP_ID, _APP_INSTALLATION_ID and _APP_PRIVATE_KEY, or KAITO_GITOPS_GITLAB_TOKEN.',
};
