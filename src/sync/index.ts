/** What other folders may use from sync. */
export type { GitCredentials, SyncConfig, SyncResult } from './types.ts';
export { Syncer, type SyncerOptions } from './engine.ts';
export { GitRemoteError } from './errors.ts';
export { KeyedMutex } from './keyed-mutex.ts';
export { commitMessage, sourceCommitOf, SOURCE_COMMIT_TRAILER } from './message.ts';
export { redact, redactUrl } from './redact.ts';
export { SOURCE_COMMIT, SOURCE_PATH, SOURCE_REPOSITORY } from './stamp.ts';
