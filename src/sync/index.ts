/** What other folders may use from sync. */
export type { CredentialSettings, CredentialSource, GitCredentials } from './credentials.ts';
export {
  Redactor,
  TOKEN_USERNAME,
  credentialSettingsFromEnv,
  credentialSourceFrom,
  redactUrl,
} from './credentials.ts';
export type {
  SourceLocation,
  SpecErrorReport,
  SyncConfig,
  SyncDependencies,
  SyncResult,
  TargetLocation,
} from './engine.ts';
export { DEFAULT_AUTHOR, SyncEngine, commitMessage } from './engine.ts';
export { GitMirror } from './git-mirror.ts';
export { directoryOf } from './git-objects.ts';
export type { GitHttpServer, GitHttpServerOptions } from './git-http-server.ts';
export { gitHttpHandler, startGitHttpServer } from './git-http-server.ts';
export { SyncMetrics } from './metrics.ts';
export type { Renderer } from './renderer.ts';
export { createSyncServer, type SyncServerOptions } from './server.ts';
export {
  SOURCE_COMMIT_ANNOTATION,
  SOURCE_PATH_ANNOTATION,
  SOURCE_REPOSITORY_ANNOTATION,
  stampsOf,
  type SourceStamp,
} from './stamp.ts';
export { SyncLoop, type PassOutcome } from './sync-loop.ts';
export { judgeWebhook, type WebhookVerdict } from './webhook.ts';
