/**
 * The HTTP front: authentication, routing, request counting, body decoding by content type, and one
 * function per verb that turns a request into store operations.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { recordUpdate, serverSideApply } from './apply.ts';
import type { RequestCounters, Verb } from './counters.ts';
import {
  ApiError,
  badRequest,
  invalid,
  methodNotAllowed,
  notFound,
  unauthorized,
  unsupportedMediaType,
} from './errors.ts';
import type { Json, KubeObject } from './object.ts';
import { asKubeObject, isMap } from './object.ts';
import { listResponse } from './list.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { apiVersionOf, resourceName, viewAs } from './registry.ts';
import { route, type Route } from './routes.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { PropagationPolicy, Store } from './store.ts';
import { targetOf } from './store.ts';
import type { WatchHub } from './watch.ts';

export interface HandlerContext {
  store: Store;
  hub: WatchHub;
  counters: RequestCounters;
  /** Bearer token every request must carry; undefined turns authentication off. */
  token: string | undefined;
  serverAddress: () => string;
}

type ResourceRoute = Extract<Route, { type: 'resource' }>;

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function decode(text: string, yaml: boolean): Json {
  try {
    return (yaml ? parseYaml(text) : JSON.parse(text)) as Json;
  } catch (err) {
    throw badRequest(`error decoding request body: ${(err as Error).message}`);
  }
}

function decodeObject(text: string, yaml: boolean): KubeObject {
  const obj = asKubeObject(decode(text, yaml));
  if (!obj) throw badRequest('the request body must be a JSON object with an object metadata');
  return obj;
}

/** The object of a create or update: JSON or YAML (415 otherwise), agreeing with the URL. */
function requestObject(req: IncomingMessage, body: string, r: ResourceRoute): KubeObject {
  const type = mediaType(req);
  if (type !== 'application/json' && type !== 'application/yaml') {
    throw unsupportedMediaType([
      'application/json',
      'application/yaml',
      'application/vnd.kubernetes.protobuf',
    ]);
  }
  const obj = decodeObject(body, type === 'application/yaml');
  checkIdentity(r, obj);
  return obj;
}

/** Checks that the body's name and namespace agree with the URL, as the apiserver's handlers do. */
function checkIdentity(r: ResourceRoute, obj: KubeObject): void {
  const ns = obj.metadata.namespace;
  if (r.kind.namespaced && ns !== undefined && ns !== '' && ns !== r.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (r.name !== undefined && obj.metadata.name !== undefined && obj.metadata.name !== r.name) {
    throw badRequest(
      `the name of the object (${obj.metadata.name}) does not match the name on the URL (${r.name})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== r.kind.kind) {
    throw badRequest(
      `the kind of the object (${obj.kind}) does not match the kind of the resource (${r.kind.kind})`,
    );
  }
}

/** The manager non-apply writes are recorded under: `?fieldManager=`, else the user agent's product. */
function updateManager(req: IncomingMessage, query: URLSearchParams): string {
  return query.get('fieldManager') || (req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown';
}

export async function handle(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (ctx.token !== undefined && req.headers.authorization !== `Bearer ${ctx.token}`) throw unauthorized();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const r = route(ctx.store.registry, url.pathname, ctx.serverAddress());
    if (r.type === 'discovery') {
      if (req.method !== 'GET') throw methodNotAllowed(req.method ?? '');
      ctx.counters.record('discovery', url.pathname);
      send(res, 200, r.body);
      return;
    }
    await handleResource(ctx, r, url.searchParams, req, res);
  } catch (err) {
    const apiErr =
      err instanceof ApiError
        ? err
        : new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
    if (res.headersSent) res.end();
    else send(res, apiErr.code, apiErr.status());
  }
}

async function handleResource(
  ctx: HandlerContext,
  r: ResourceRoute,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { store, counters } = ctx;
  const resource = `${resourceName(r.kind)}${r.subresource ? `/${r.subresource}` : ''}`;
  const count = (verb: Verb): void => counters.record(verb, resource);
  const view = (obj: KubeObject): KubeObject => viewAs(r.kind, r.version, obj);
  const method = req.method ?? 'GET';
  const body = await readBody(req);
  if (method === 'GET' && r.name === undefined) {
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'), r.kind);
    const watching = query.get('watch') === '1' || query.get('watch') === 'true';
    if (watching) {
      count('watch');
      const timeout = query.get('timeoutSeconds');
      ctx.hub.start(
        {
          kind: r.kind,
          version: r.version,
          namespace: r.namespace,
          labels,
          fields,
          resourceVersion: query.get('resourceVersion'),
          allowBookmarks:
            query.get('allowWatchBookmarks') === 'true' || query.get('allowWatchBookmarks') === '1',
          timeoutSeconds: timeout ? Number(timeout) : undefined,
        },
        res,
      );
      return;
    }
    count('list');
    send(
      res,
      200,
      listResponse(store, {
        kind: r.kind,
        version: r.version,
        namespace: r.namespace,
        labels,
        fields,
        limit: query.get('limit'),
        continueToken: query.get('continue'),
      }),
    );
    return;
  }
  const name = r.name;
  if (name === undefined) {
    if (method !== 'POST') throw methodNotAllowed(method);
    count('create');
    const obj = view(requestObject(req, body, r));
    if (obj.metadata.resourceVersion)
      throw badRequest('resourceVersion should not be set on objects to be created');
    delete obj.metadata.managedFields;
    const apiVersion = apiVersionOf(r.kind.group, r.version);
    send(
      res,
      201,
      view(
        store.create(
          r.kind,
          r.namespace,
          recordUpdate(undefined, obj, updateManager(req, query), apiVersion),
        ),
      ),
    );
    return;
  }
  switch (method) {
    case 'GET':
      count('get');
      send(res, 200, view(store.require(r.kind, r.namespace, name)));
      return;
    case 'PUT': {
      count('update');
      const obj = view(requestObject(req, body, r));
      const current = store.require(r.kind, r.namespace, name);
      // Custom resources do not allow unconditional updates (the CRD strategy's AllowUnconditionalUpdate).
      if (r.kind.custom && !obj.metadata.resourceVersion) {
        throw invalid(targetOf(r.kind, name), [
          {
            reason: 'FieldValueInvalid',
            field: 'metadata.resourceVersion',
            message: 'Invalid value: 0x0: must be specified for an update',
          },
        ]);
      }
      obj.metadata.name = name;
      obj.metadata.managedFields = current.metadata.managedFields ?? [];
      const recorded = recordUpdate(
        current,
        obj,
        updateManager(req, query),
        apiVersionOf(r.kind.group, r.version),
        r.subresource,
      );
      send(res, 200, view(store.update(r.kind, r.namespace, recorded, r.subresource)));
      return;
    }
    case 'PATCH':
      count('patch');
      send(res, ...patch(ctx, r, name, query, req, body));
      return;
    case 'DELETE': {
      count('delete');
      const options = body.trim() ? decode(body, false) : {};
      const opts = isMap(options) ? options : {};
      const policy = (query.get('propagationPolicy') ?? opts['propagationPolicy'] ?? undefined) as
        PropagationPolicy | undefined;
      const pre = isMap(opts['preconditions'])
        ? (opts['preconditions'] as { uid?: string; resourceVersion?: string })
        : undefined;
      const result = store.delete(r.kind, r.namespace, name, {
        ...(policy ? { propagationPolicy: policy } : {}),
        ...(pre ? { preconditions: pre } : {}),
      });
      // Built-in registries answer an immediate deletion with a Success Status; custom resources return the object.
      if (result.deleted && !r.kind.custom) {
        const details = {
          name,
          ...(r.kind.group ? { group: r.kind.group } : {}),
          kind: r.kind.plural,
          uid: result.object.metadata.uid,
        };
        send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
      } else {
        send(res, 200, view(result.object));
      }
      return;
    }
    default:
      throw methodNotAllowed(method);
  }
}

function patch(
  ctx: HandlerContext,
  r: ResourceRoute,
  name: string,
  query: URLSearchParams,
  req: IncomingMessage,
  body: string,
): [number, KubeObject] {
  const { store } = ctx;
  const type = mediaType(req);
  const accepted = r.kind.custom
    ? [JSON_PATCH, MERGE_PATCH, APPLY_PATCH]
    : [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH];
  if (!accepted.includes(type)) throw unsupportedMediaType(accepted);
  const apiVersion = apiVersionOf(r.kind.group, r.version);
  const manager = query.get('fieldManager');
  const options = { group: 'meta.k8s.io', plural: 'patchoptions', kind: 'PatchOptions', name: '' };
  if (type === APPLY_PATCH) {
    if (!manager) {
      throw invalid(options, [
        {
          reason: 'FieldValueRequired',
          field: 'fieldManager',
          message: 'Required value: is required for apply patch',
        },
      ]);
    }
    const applied = decodeObject(body, true);
    checkIdentity(r, applied);
    if (applied.apiVersion !== apiVersion || applied.kind !== r.kind.kind) {
      throw badRequest(
        `the API version in the data (${String(applied.apiVersion)}) does not match the expected API version (${apiVersion})`,
      );
    }
    const current = store.get(r.kind, r.namespace, name);
    const next = viewAs(
      r.kind,
      r.version,
      serverSideApply({
        current,
        applied,
        manager,
        force: query.get('force') === 'true',
        apiVersion,
        ...(r.subresource ? { subresource: r.subresource } : {}),
        target: targetOf(r.kind, name),
      }),
    );
    next.metadata.name = name;
    if (!current) {
      if (r.subresource) throw notFound(targetOf(r.kind, name));
      return [201, viewAs(r.kind, r.version, store.create(r.kind, r.namespace, next))];
    }
    return [200, viewAs(r.kind, r.version, store.update(r.kind, r.namespace, next, r.subresource))];
  }
  if (query.has('force')) {
    throw invalid(options, [
      {
        reason: 'FieldValueForbidden',
        field: 'force',
        message: 'Forbidden: may not be specified for non-apply patch',
      },
    ]);
  }
  const current = store.require(r.kind, r.namespace, name);
  const doc = viewAs(r.kind, r.version, current) as unknown as Json;
  const body_ = decode(body, false);
  let patched: Json;
  if (type === JSON_PATCH) {
    if (!Array.isArray(body_))
      throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    patched = jsonPatch(doc, body_);
  } else {
    if (!isMap(body_)) throw badRequest('the patch must be a JSON object');
    patched = type === MERGE_PATCH ? mergePatch(doc, body_) : strategicMergePatch(doc, body_);
  }
  const patchedObject = asKubeObject(patched);
  if (!patchedObject) throw badRequest('the patched object must be a JSON object');
  const obj = viewAs(r.kind, r.version, patchedObject);
  checkIdentity(r, obj);
  obj.metadata.name = name;
  const recorded = recordUpdate(current, obj, updateManager(req, query), apiVersion, r.subresource);
  return [200, viewAs(r.kind, r.version, store.update(r.kind, r.namespace, recorded, r.subresource))];
}
