import { describe, expect, it } from 'vitest';
import { classifyArmError } from '../../../../src/agent/provisioners/arm-errors.ts';

/** The shape of the SDK's RestError (@typespec/ts-http-runtime); the ARM integration test throws real ones. */
class RestError extends Error {
  override name = 'RestError';
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
  readonly response: { headers: { get(name: string): string | undefined } } | undefined;

  constructor(
    message: string,
    statusCode: number | undefined,
    code: string | undefined,
    response: { headers: { get(name: string): string | undefined } } | undefined,
  ) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.response = response;
  }
}

function armError(
  statusCode: number | undefined,
  code: string | undefined,
  message: string,
  retryAfter?: string,
) {
  const headers = { get: (name: string) => (name === 'retry-after' ? retryAfter : undefined) };
  return new RestError(message, statusCode, code, retryAfter === undefined ? undefined : { headers });
}

describe('what an ARM failure means for the agent', () => {
  it.each([
    ['404', armError(404, 'NotFound', 'Agent pool x not found.'), { kind: 'not-found' }],
    [
      'quota by code',
      armError(400, 'QuotaExceeded', 'exceeding approved quota'),
      { kind: 'permanent', quota: true, code: 'QuotaExceeded', message: 'exceeding approved quota' },
    ],
    [
      'Compute’s quota as OperationNotAllowed',
      armError(
        409,
        'OperationNotAllowed',
        'Operation could not be completed as it results in exceeding approved Total Regional Cores quota.',
      ),
      {
        kind: 'permanent',
        quota: true,
        code: 'OperationNotAllowed',
        message:
          'Operation could not be completed as it results in exceeding approved Total Regional Cores quota.',
      },
    ],
    [
      'AKS vCPU quota',
      armError(400, 'InsufficientVCPUQuota', 'Insufficient regional vcpu quota left'),
      {
        kind: 'permanent',
        quota: true,
        code: 'InsufficientVCPUQuota',
        message: 'Insufficient regional vcpu quota left',
      },
    ],
    [
      'an operation in progress',
      armError(
        409,
        'OperationNotAllowed',
        "Operation is not allowed because there's an in progress create node pool operation.",
      ),
      {
        kind: 'in-progress',
        code: 'OperationNotAllowed',
        message: "Operation is not allowed because there's an in progress create node pool operation.",
      },
    ],
    [
      'an invalid VM size',
      armError(400, 'InvalidParameter', 'The VM size of Standard_Nope is not allowed.'),
      {
        kind: 'permanent',
        quota: false,
        code: 'InvalidParameter',
        message: 'The VM size of Standard_Nope is not allowed.',
      },
    ],
    [
      'no permission',
      armError(403, 'AuthorizationFailed', 'does not have authorization'),
      {
        kind: 'permanent',
        quota: false,
        code: 'AuthorizationFailed',
        message: 'does not have authorization',
      },
    ],
    [
      'throttling with Retry-After',
      armError(429, 'TooManyRequests', 'throttled', '17'),
      {
        kind: 'transient',
        status: 429,
        code: 'TooManyRequests',
        message: 'throttled',
        retryAfterSeconds: 17,
      },
    ],
    [
      'a server error',
      armError(503, undefined, 'Unexpected status code: 503'),
      { kind: 'transient', status: 503, code: 'HTTP503', message: 'Unexpected status code: 503' },
    ],
    [
      'no answer',
      armError(undefined, 'ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443'),
      {
        kind: 'transient',
        status: undefined,
        code: 'ECONNREFUSED',
        message: 'connect ECONNREFUSED 127.0.0.1:443',
      },
    ],
    [
      'something that is not a RestError',
      new TypeError('fetch failed'),
      { kind: 'transient', status: undefined, code: 'RequestFailed', message: 'fetch failed' },
    ],
  ])('%s', (_case, error, expected) => {
    expect(classifyArmError(error)).toEqual(expected);
  });
});
