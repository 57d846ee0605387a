/** What other folders may use from sync. */

export {
  Redactor,
  TOKEN_USERNAME,
  credentialSettingsFromEnv,
  credentialSourceFrom,
  parseRepositoryUrl,
  redactUrl,
  type CredentialSource,
} from './credentials.ts';
export { SyncEngine } from './engine.ts';
export { SYNC_STEPS, type SyncConfig, type SyncResult, type SyncStep } from './sync-config.ts';
export { GitMirror } from './git-mirror.ts';
export { IncrementalRenderer } from './incremental-renderer.ts';
export { directoryOf } from './git-objects.ts';

export { startGitHttpServer } from './git-http-server.ts';
export { SyncMetrics } from './metrics.ts';

export { createSyncServer } from './server.ts';

export { SyncLoop } from './sync-loop.ts';
export type { PullRequestEvent } from './pull-request-event.ts';
export { PullRequestReporter } from './pull-request-reporter.ts';
export { PullRequestQueue } from './pull-request-queue.ts';
