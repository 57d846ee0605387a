/** Configuration and results of a sync pass: source repository → hydrated tree on a deploy branch. */
import type { Catalog, Cloud } from '../catalog/index.ts';
import type { WorkspaceOutcome } from '../pipeline.ts';
import type { SpecError } from '../errors.ts';

/** HTTP basic credentials for git. A token alone is `{username: token}` (GitHub PAT) or `{username: 'x-access-token', password: token}` (GitHub App). */
export interface GitCredentials {
  username: string;
  password?: string;
}

export interface SyncConfig {
  /** Source repository URL (HTTP(S), no credentials in it). */
  source: string;
  /** Branch of the source holding the specs. @default "main" */
  sourceRef: string;
  /** Directory of the specs inside the source repository. @default "gitops/workspaces" */
  sourcePath: string;
  /** Deploy repository URL. @default the source repository */
  target: string;
  /** Branch the hydrated tree is committed to. @default "deploy" */
  targetBranch: string;
  /** Directory of the tree inside the deploy branch; "" for its root. @default "clusters/prod" */
  targetPath: string;
  /** Where the clones live between passes. */
  workDir: string;
  catalog: Catalog;
  /** @default "azure" */
  cloud?: Cloud;
  credentials?: GitCredentials;
  /** Commit identity. @default kaito-gitops <kaito-gitops@users.noreply.github.com> */
  author?: { name: string; email: string };
  /** Push attempts before giving up on a moving deploy branch. @default 8 */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt, full jitter, capped at 5 s. @default 200 */
  backoffMs?: number;
}

export interface SyncResult {
  /** Source commit that was rendered. */
  sourceCommit: string;
  /** Deploy branch tip after the pass. */
  deployCommit: string;
  /** True when this pass pushed a commit; false when the branch already held this render. */
  pushed: boolean;
  /** Paths (relative to the target path) written or removed by this pass. */
  changed: string[];
  workspaces: WorkspaceOutcome[];
  errors: SpecError[];
  warnings: string[];
  /** Push attempts used (1 when nobody raced us). */
  attempts: number;
}
