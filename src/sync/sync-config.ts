/**
 * What a sync is asked to do and what it answers: where the specs and the deploy tree live, the
 * settings of a pass, the parts it runs with, and its result. The engine (engine.ts) does the work.
 */
import type { Catalog, Cloud } from '../catalog/index.ts';
import type { ErrorReport, WorkspaceOutcome } from '../pipeline.ts';
import type { ShardChanges, TreeLayout } from '../render/index.ts';
import type { HelperImages } from '../synth/index.ts';
import type { Logger } from '../observe/index.ts';
import type { CredentialSource, Redactor } from './credentials.ts';
import type { CommitIdentity } from './git-mirror.ts';
import type { Renderer } from './renderer.ts';

export interface SourceLocation {
  /** Repository URL (https, or http for local servers). */
  url: string;
  /** Branch holding the specs, e.g. `main`. */
  ref: string;
  /** Directory of the specs inside the repository, e.g. `gitops/workspaces`. */
  path: string;
}

export interface TargetLocation {
  url: string;
  /** Deploy branch; created when missing. */
  branch: string;
  /**
   * Directory of the rendered tree, e.g. `clusters/prod`. kaito-gitops changes only the files its
   * inventory there lists (see render/place.ts); everything else in it is left as it is.
   */
  path: string;
}

export interface SyncConfig {
  source: SourceLocation;
  target: TargetLocation;
  /** Where the local mirrors live between passes. */
  cacheDir: string;
  /** @default {name: "kaito-gitops", email: "kaito-gitops@users.noreply.github.com"} */
  author?: CommitIdentity;
  /** Passes tried before giving up on a rejected or failing push. @default 6 */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt, with full jitter. @default 250 */
  backoffMs?: number;
  /** @default 5000 */
  maxBackoffMs?: number;
  /** Cloud whose SKUs size a Workspace without `instanceType`. @default "azure" */
  cloud?: Cloud;
  images?: Partial<HelperImages>;
  /** Let a source without any workspace remove every workspace of the deploy path. @default false */
  allowEmpty?: boolean;
  /** Shards and Flux units of the deploy tree (`--flux-units`, `--retire-empty-shards`). @default {} */
  layout?: TreeLayout;
  /** How long a git request may wait for an answer (or the next chunk of one). @default 30000 */
  timeoutMs?: number;
  /**
   * Write into a deploy path that holds files but no inventory (kaito-gitops never wrote there),
   * beside those files. @default false
   */
  adopt?: boolean;
}

export interface SyncDependencies {
  render: Renderer;
  catalog: Catalog;
  credentials: { source: CredentialSource; target: CredentialSource };
  redactor: Redactor;
  logger: Logger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Aborts git requests in flight and ends the sync (the process was asked to stop). */
  signal?: AbortSignal;
  /** Told each step of a pass as it starts, for a progress line (`sync --once` on a terminal). */
  onStep?: (step: SyncStep) => void;
}

/** The steps of one pass, in order. */
export const SYNC_STEPS = ['fetching', 'rendering', 'committing', 'pushing'] as const;
export type SyncStep = (typeof SYNC_STEPS)[number];

/** A refused spec: its file in the source repository, the document and Workspace, each problem located. */
export type SpecErrorReport = ErrorReport;

export interface SyncResult {
  /** `pushed`: a new deploy commit; `unchanged`: the deploy path already held this render. */
  outcome: 'pushed' | 'unchanged';
  sourceCommit: string;
  /** The deploy branch tip after the pass. */
  deployCommit: string;
  /** Workspaces in the tree (rendered, unchanged or kept). */
  workspaceCount: number;
  /** Workspaces whose files changed or were removed. */
  changed: number;
  workspaces: WorkspaceOutcome[];
  /** Shards this pass opened (new units to apply) and retired. */
  shards: ShardChanges;
  /** Specs that failed: their previous output was kept. */
  errors: SpecErrorReport[];
  attempts: number;
  durationMs: number;
}
