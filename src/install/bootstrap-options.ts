/**
 * What `kaito-gitops init` needs to write the Flux and Argo CD bootstrap: where the deploy tree lives
 * (what the GitOps tool applies) and where the specs live (what the sync server reads).
 */
import { DEFAULT_IMAGE, INSTALL_NAMESPACE } from './identity.ts';

export interface BootstrapOptions {
  /** Repository of the deploy branch (https). */
  repo: string;
  /** Deploy branch. */
  branch: string;
  /** Directory of the rendered tree on the deploy branch, e.g. `clusters/prod`. */
  path: string;
  /** Repository of the specs. @default repo */
  source?: string;
  /** @default "main" */
  sourceRef?: string;
  /** @default "gitops/workspaces" */
  sourcePath?: string;
  /** Sync server image. @default "ghcr.io/kaito-gitops/kaito-gitops:<package version>" */
  image?: string;
  /** Poll interval of the sync server (webhooks trigger it at once). @default "5m" */
  interval?: string;
  /**
   * The Flux Kustomization `timeout` (Go duration): what `init` computes from the plans of the specs
   * (flux-timeout.ts) or `--flux-timeout`. @default "30m"
   */
  fluxTimeout?: string;
  /**
   * The shards of the rendered tree (`shards/<name>` under `path`, read by `init --tree`): Flux gets one
   * Kustomization each (Argo CD's ApplicationSet finds them itself). @default none: one Flux
   * Kustomization for the whole tree
   */
  shards?: readonly string[];
  /**
   * Flux applies the units the tree carries (`flux-units/`, written by `sync --flux-units`) through one
   * root Kustomization, instead of one Kustomization per shard listed here; the sync server writes
   * them. @default false
   */
  fluxUnits?: boolean;
  /**
   * The sync server writes the plan comment of every pull request into the source branch (`sync
   * --report`), with the credentials of the optional Secret {@link REPORT_SECRET}, as the agent's chart
   * reads them. @default off
   */
  report?: { provider: 'github' | 'gitlab'; apiUrl?: string | undefined };
}

/** Namespace of the sync server. */
export const SYNC_NAMESPACE = INSTALL_NAMESPACE;
/** Secret the sync server reads: `token` (git, push access to the deploy branch) and `webhook-secret`. */
export const SYNC_SECRET = 'kaito-gitops-sync';
/**
 * Secret (optional) whose keys the sync server gets as environment variables with `report`:
 * `KAITO_GITOPS_GITHUB_TOKEN`, or `KAITO_GITOPS_GITHUB_APP_ID`, `_APP_INSTALLATION_ID` and
 * `_APP_PRIVATE_KEY`, or `KAITO_GITOPS_GITLAB_TOKEN`; the same name as the agent chart's default.
 */
export const REPORT_SECRET = 'kaito-gitops-report';
/** The example values the committed `gitops/flux` and `gitops/argocd` are generated with. */
export const EXAMPLE_OPTIONS: BootstrapOptions = {
  repo: 'https://github.com/example-org/kaito-models.git',
  branch: 'deploy',
  path: 'clusters/prod',
  // fluxTimeout() of the plans of gitops/workspaces (a test recomputes it).
  fluxTimeout: '1h15m',
  // The shards of gitops/workspaces rendered (a test recomputes them).
  shards: ['default'],
};

export type Resolved = Required<Omit<BootstrapOptions, 'shards' | 'report'>> &
  Pick<BootstrapOptions, 'report'> & { shards: readonly string[] };

export function resolveOptions(options: BootstrapOptions): Resolved {
  return {
    repo: options.repo,
    branch: options.branch,
    path: options.path
      .split('/')
      .filter((p) => p !== '' && p !== '.')
      .join('/'),
    source: options.source ?? options.repo,
    sourceRef: options.sourceRef ?? 'main',
    sourcePath: options.sourcePath ?? 'gitops/workspaces',
    image: options.image ?? DEFAULT_IMAGE,
    interval: options.interval ?? '5m',
    fluxTimeout: options.fluxTimeout ?? '30m',
    shards: [...(options.shards ?? [])].sort(),
    fluxUnits: options.fluxUnits ?? false,
    ...(options.report !== undefined && { report: options.report }),
  };
}
