/** Failures of the git remotes, on top of the project's taxonomy (src/errors.ts). */
import { KaitoGitopsError } from '../errors.ts';

/**
 * The remote refused us for a reason retrying cannot fix (401/403, no such repository or branch), or
 * kept failing until the attempts ran out. The CLI exits 3.
 */
export class GitRemoteError extends KaitoGitopsError {
  override name = 'GitRemoteError';
}
