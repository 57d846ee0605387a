/**
 * `--report github|gitlab` and `--report-api-url URL`, checked the same way wherever they are taken:
 * `agent` and `sync` (code-host.ts), and `init`, which passes them on to the sync server it writes.
 */
import { UsageError } from '../errors.ts';
import type { ProviderName } from '../report/index.ts';

/** The provider (undefined when `provider` is empty: reporting off) and the API root, if one is given. */
export function checkReportFlags(
  provider: string,
  apiUrl: string,
): { provider: ProviderName; apiUrl: string | undefined } | undefined {
  if (provider === '') return undefined;
  if (provider !== 'github' && provider !== 'gitlab') {
    throw new UsageError(`--report must be github or gitlab, not "${provider}"`);
  }
  if (apiUrl !== '' && !/^https?:\/\/[^/@\s]+/.test(apiUrl)) {
    throw new UsageError(`--report-api-url must be an https:// URL without credentials, not "${apiUrl}"`);
  }
  return { provider, apiUrl: apiUrl === '' ? undefined : apiUrl };
}
