/**
 * API server failures → the error taxonomy. Every failure of a call to the API server may pass (a
 * conflict with a newer resourceVersion, a restart, throttling, RBAC being fixed), so they are
 * TransientErrors the queue retries with backoff; callers that expect 404 or 409 test {@link statusCode}.
 */
import { ApiException } from '@kubernetes/client-node';
import { TransientError } from '../../errors.ts';

export function statusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

export function apiFailure(what: string, error: unknown): TransientError {
  const code = statusCode(error);
  let detail = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    const message =
      typeof body === 'string'
        ? (safeMessage(body) ?? body)
        : (body as { message?: string } | undefined)?.message;
    detail = `HTTP ${code ?? ''}${message ? `: ${message}` : ''}`;
  }
  return new TransientError(`${what} failed: ${detail}`, undefined, { cause: error });
}

function safeMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
