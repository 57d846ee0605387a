/**
 * LIST responses: selector filtering, `limit`/`continue` pagination ("API Concepts: Retrieving large
 * results sets in chunks") and item shape. A continue token carries the first page's resourceVersion and
 * the last key served; once that resourceVersion is compacted the token answers 410 Expired.
 */
import { ApiError, badRequest } from './errors.ts';
import type { KubeObject } from './object.ts';
import type { KindDef } from './registry.ts';
import { apiVersionOf, viewAs } from './registry.ts';
import type { Selector } from './selectors.ts';
import type { Store } from './store.ts';

export interface ListRequest {
  kind: KindDef;
  version: string;
  namespace: string | undefined;
  labels: Selector;
  fields: Selector;
  limit: string | null;
  continueToken: string | null;
}

interface Token {
  rv: number;
  after: string;
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

function readToken(text: string, store: Store): Token {
  let token: Token;
  try {
    token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Token;
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data');
  }
  if (typeof token.rv !== 'number' || typeof token.after !== 'string')
    throw badRequest('continue key is not valid');
  if (token.rv < store.oldestResourceVersion) {
    throw new ApiError(
      410,
      'Expired',
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
    );
  }
  return token;
}

export function listResponse(store: Store, req: ListRequest): Record<string, unknown> {
  const { kind } = req;
  const token = req.continueToken ? readToken(req.continueToken, store) : undefined;
  const rv = token?.rv ?? store.resourceVersion;
  let items = store.list(kind, req.namespace).filter((o) => req.labels(o) && req.fields(o));
  if (token) items = items.filter((o) => keyOf(o) > token.after);
  const limit = req.limit ? Number(req.limit) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit: ${req.limit ?? ''}`);
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (limit > 0 && items.length > limit) {
    const last = items[limit - 1];
    metadata['continue'] = Buffer.from(JSON.stringify({ rv, after: last ? keyOf(last) : '' })).toString(
      'base64url',
    );
    metadata['remainingItemCount'] = items.length - limit;
    items = items.slice(0, limit);
  }
  return {
    kind: `${kind.kind}List`,
    apiVersion: apiVersionOf(kind.group, req.version),
    metadata,
    // Built-in lists omit apiVersion/kind on items; custom resource lists keep them.
    items: items.map((o) => {
      if (kind.custom) return viewAs(kind, req.version, o);
      const { apiVersion: _a, kind: _k, ...rest } = o;
      return rest;
    }),
  };
}
