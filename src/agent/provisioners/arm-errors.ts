/**
 * Azure Resource Manager failures, sorted by what the agent does about them. ARM reports errors as
 * `{"error":{"code","message"}}`, which the SDK turns into a RestError with `statusCode` and `code`.
 *
 * One code is ambiguous: Compute answers quota exhaustion with `OperationNotAllowed` ("Operation could not
 * be completed as it results in exceeding approved ... quota"), and AKS answers a write during a running
 * operation with `OperationNotAllowed` too. Only the message tells them apart, so this is the one place
 * that reads ARM's message text; everything else branches on the result.
 */

export type ArmFailure =
  | { kind: 'not-found' }
  /** Another operation runs on the resource (409): observe it instead of writing. */
  | { kind: 'in-progress'; code: string; message: string }
  /** Waiting will not fix it: quota, an invalid VM size, a property AKS cannot change, no permission. */
  | { kind: 'permanent'; quota: boolean; code: string; message: string }
  /** 429, 5xx or no answer at all: the SDK already retried; try again later. */
  | {
      kind: 'transient';
      status: number | undefined;
      code: string;
      message: string;
      retryAfterSeconds?: number;
    };

const QUOTA_CODES = new Set(['QuotaExceeded', 'InsufficientVCPUQuota', 'ErrCode_InsufficientVCPUQuota']);

export function isQuotaError(code: string, message: string): boolean {
  return QUOTA_CODES.has(code) || (code === 'OperationNotAllowed' && /\bquota\b/i.test(message));
}

interface RestErrorLike {
  name: string;
  message: string;
  code?: string;
  statusCode?: number;
  response?: { headers: { get(name: string): string | undefined } };
}

function isRestErrorLike(error: unknown): error is RestErrorLike {
  // The modular SDK throws @typespec/ts-http-runtime's RestError; core-lro tells it by name as well.
  return error instanceof Error && error.name === 'RestError';
}

function retryAfterSeconds(error: RestErrorLike): number | undefined {
  const value = error.response?.headers.get('retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : undefined;
}

export function classifyArmError(error: unknown): ArmFailure {
  if (!isRestErrorLike(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'transient', status: undefined, code: 'RequestFailed', message };
  }
  const status = error.statusCode;
  const code = error.code ?? (status === undefined ? 'RequestFailed' : `HTTP${status}`);
  const message = error.message;
  if (isQuotaError(code, message)) return { kind: 'permanent', quota: true, code, message };
  if (status === 404) return { kind: 'not-found' };
  if (status === 409) return { kind: 'in-progress', code, message };
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    const after = retryAfterSeconds(error);
    return {
      kind: 'transient',
      status,
      code,
      message,
      ...(after === undefined ? {} : { retryAfterSeconds: after }),
    };
  }
  return { kind: 'permanent', quota: false, code, message };
}
