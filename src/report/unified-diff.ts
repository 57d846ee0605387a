/**
 * One rendered file, base → head, as a unified diff (`git diff` style headers, 3 lines of context),
 * with Secret values masked first. Built on jsdiff (`diff`), the diff library most JavaScript tools use.
 */
import { FILE_HEADERS_ONLY, createTwoFilesPatch } from 'diff';
import { redactSecrets } from './redact-secrets.ts';

/** The patch from `base` to `head` of `path` (undefined: the file does not exist); '' when equal. */
export function unifiedDiff(path: string, base: string | undefined, head: string | undefined): string {
  if (base === head) return '';
  const [before, after] = redactSecrets(base, head);
  return createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${path}`,
    after === undefined ? '/dev/null' : `b/${path}`,
    before ?? '',
    after ?? '',
    undefined,
    undefined,
    { context: 3, headerOptions: FILE_HEADERS_ONLY },
  );
}
