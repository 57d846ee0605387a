/**
 * `kind: Status` failures, shaped like k8s.io/apimachinery/pkg/api/errors builds them, so that client code
 * branching on `code` and `reason` (as client-node's ApiException exposes them) sees what a cluster sends.
 */

/** The group-qualified resource an error is about, e.g. `workspaces.kaito.sh`, `pods`. */
export interface ErrorTarget {
  group: string;
  plural: string;
  kind: string;
  name?: string;
}

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** A failed API call: the HTTP code and the Status body the server answers with. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  status(): Record<string, unknown> {
    return statusBody(this.code, this.reason, this.message, this.details);
  }
}

export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

function qualified(t: ErrorTarget): string {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}

function detailsOf(t: ErrorTarget, causes?: StatusCause[]): Record<string, unknown> {
  return {
    ...(t.name !== undefined ? { name: t.name } : {}),
    ...(t.group ? { group: t.group } : {}),
    kind: t.plural,
    ...(causes ? { causes } : {}),
  };
}

export function notFound(t: ErrorTarget): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(t)} "${t.name ?? ''}" not found`, detailsOf(t));
}

export function alreadyExists(t: ErrorTarget): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualified(t)} "${t.name ?? ''}" already exists`, detailsOf(t));
}

/** The optimistic-concurrency failure of an update with a stale `metadata.resourceVersion`. */
export function conflict(
  t: ErrorTarget,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(t)} "${t.name ?? ''}": ${why}`,
    detailsOf(t),
  );
}

/** Server-side apply conflicts: one cause per field another manager owns with a different value. */
export function applyConflict(t: ErrorTarget, conflicts: { manager: string; field: string }[]): ApiError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with "${c.manager}"`,
    field: c.field,
  }));
  const lines = conflicts.map((c) => `conflict with "${c.manager}": ${c.field}`);
  const message = `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${lines.join('\n')}`;
  return new ApiError(409, 'Conflict', message, detailsOf(t, causes));
}

/** 422 Invalid, message `Kind.group "name" is invalid: field: Reason: detail` as field.ErrorList prints it. */
export function invalid(t: ErrorTarget, causes: StatusCause[]): ApiError {
  const kind = t.group ? `${t.kind}.${t.group}` : t.kind;
  const list = causes.map((c) => `${c.field ?? ''}: ${c.message}`);
  const text = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${kind} "${t.name ?? ''}" is invalid: ${text}`, {
    ...(t.name !== undefined ? { name: t.name } : {}),
    ...(t.group ? { group: t.group } : {}),
    kind: t.kind,
    causes,
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** 410 as the watch cache answers a resourceVersion older than the compaction point. */
export function expired(requested: number, oldest: number): ApiError {
  return new ApiError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

/** 415 as `errors.NewUnsupportedMediaTypeError` words it, listing what the endpoint accepts. */
export function unsupportedMediaType(accepted: string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function methodNotAllowed(method: string): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method})`,
  );
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}
