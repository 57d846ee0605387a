/**
 * A local Azure Resource Manager for the AKS agent-pool API, served over HTTPS (a self-signed certificate
 * made with openssl per run; clients trust it through `tlsOptions.ca`) so that `@azure/arm-containerservice`
 * runs with its default pipeline, bearer-token policy included.
 *
 * Modelled after ARM's documented asynchronous-operation pattern
 * (https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations):
 * - PUT `…/agentPools/{name}` → 201 (new) or 200 (existing) with the resource, `provisioningState`
 *   Creating / Scaling / Updating, and headers `Azure-AsyncOperation` + `Retry-After`.
 * - DELETE → 202 with `Azure-AsyncOperation`, `Location` and `Retry-After`; 204 when there is nothing.
 * - GET on the operation URL → `{status: InProgress}` until the operation ends, then `Succeeded`, or
 *   `Failed` with `error: {code, message}`; a failed operation leaves the pool `Failed` with
 *   `properties.status.provisioningError`, as AKS does.
 * - GET / LIST (with `nextLink` paging) / errors in ARM's shape `{"error":{"code","message"}}`; a write
 *   while an operation runs → 409 `OperationNotAllowed`; changing `vmSize` → 400
 *   `PropertyChangeNotAllowed`; a missing `api-version` → 400 `MissingApiVersionParameter`; a node label
 *   AKS keeps for kubelet or itself (`kubernetes.io`, `k8s.io`, `kubernetes.azure.com`) → 400 `BadRequest`
 *   with the label as `target`, before anything is stored (aks-node-labels.ts).
 * - Injections: 429 with `Retry-After`, any error for the next matching requests, and a failure for the
 *   next operation. Every request is logged for assertions.
 *
 * Not modelled: time. An operation advances when it is observed (a GET of the operation or of the pool),
 * after `inProgressReads` observations, or when the test releases it; real ARM advances on its own
 * clock. Also not modelled: authentication (the bearer token is only required to be present), ETags /
 * If-Match, the managed cluster itself, nodes (the Kubernetes side is the kube API test server's),
 * per-subscription throttling budgets, and every agent-pool property beyond storing what was sent.
 */
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeLabelRefusal } from './aks-node-labels.ts';
import { selfSignedCertificate } from './self-signed-certificate.ts';

export interface ArmError {
  code: string;
  message: string;
  /** What the error is about, e.g. the refused `key=value` label. */
  target?: string;
}

export interface LoggedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  apiVersion: string | undefined;
  status: number;
  /** Milliseconds since the server started (performance clock), when the request arrived. */
  at: number;
  body: unknown;
  authorization: string | undefined;
}

interface Operation {
  id: string;
  poolKey: string;
  action: 'create' | 'update' | 'delete';
  status: 'InProgress' | 'Succeeded' | 'Failed';
  reads: number;
  error?: ArmError;
  startTime: string;
}

export interface StoredPool {
  name: string;
  subscription: string;
  resourceGroup: string;
  cluster: string;
  properties: Record<string, unknown>;
  operation?: string;
}

interface Injection {
  method: string | undefined;
  remaining: number;
  status: number;
  error: ArmError;
  headers: Record<string, string>;
}

export interface ArmServerOptions {
  /** Observations an operation answers InProgress before it ends. @default 1 */
  inProgressReads?: number;
  /** `Retry-After` (seconds) on operation responses. @default 0 */
  pollRetryAfterSeconds?: number;
  /** Agent pools per LIST page before a `nextLink`. @default 100 */
  pageSize?: number;
  location?: string;
}

const POOL_PATH =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)\/agentPools(?:\/([^/]+))?$/i;
const OPERATION_PATH =
  /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.ContainerService\/locations\/([^/]+)\/operations\/([^/]+)$/i;
const LINUX_POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;
const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);

export class ArmServer {
  readonly certPem: string;
  readonly requests: LoggedRequest[] = [];
  readonly #server: Server;
  readonly #dir: string;
  readonly #pools = new Map<string, StoredPool>();
  readonly #operations = new Map<string, Operation>();
  readonly #injections: Injection[] = [];
  readonly #failOperations: ArmError[] = [];
  readonly #options: Required<ArmServerOptions>;
  readonly #started = performance.now();
  #held = false;
  #nextId = 1;

  private constructor(server: Server, certPem: string, dir: string, options: ArmServerOptions) {
    this.#server = server;
    this.certPem = certPem;
    this.#dir = dir;
    this.#options = {
      inProgressReads: options.inProgressReads ?? 1,
      pollRetryAfterSeconds: options.pollRetryAfterSeconds ?? 0,
      pageSize: options.pageSize ?? 100,
      location: options.location ?? 'eastus',
    };
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'InternalServerError', message: String(error) } }));
      });
    });
  }

  static async start(options: ArmServerOptions = {}): Promise<ArmServer> {
    const { dir, keyPem, certPem } = await selfSignedCertificate();
    const server = createServer({ key: keyPem, cert: certPem });
    const arm = new ArmServer(server, certPem, dir, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return arm;
  }

  get endpoint(): string {
    return `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await rm(this.#dir, { recursive: true, force: true });
  }

  /** The next `count` requests (of `method`, if given) answer 429 with `Retry-After: seconds`. */
  throttle(count: number, retryAfterSeconds: number, method?: string): void {
    this.#injections.push({
      method,
      remaining: count,
      status: 429,
      error: {
        code: 'TooManyRequests',
        message: `The request is being throttled as the limit has been reached for operation type - Write_ObservationWindow_00:05:00. The limit will be reset in ${retryAfterSeconds} seconds.`,
      },
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }

  /** The next `count` requests (of `method`, if given) answer `status` with `error`. */
  failNext(method: string | undefined, status: number, error: ArmError, count = 1): void {
    this.#injections.push({ method, remaining: count, status, error, headers: {} });
  }

  /** The next operation started ends `Failed` with `error`. */
  failNextOperation(error: ArmError): void {
    this.#failOperations.push(error);
  }

  /** Keep every operation InProgress until {@link release}: a long operation spanning an agent restart. */
  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
  }

  pool(name: string): StoredPool | undefined {
    return [...this.#pools.values()].find((p) => p.name === name);
  }

  pools(): StoredPool[] {
    return [...this.#pools.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Requests of `method` to agent-pool paths (not operations), optionally for one pool. */
  writes(method: 'PUT' | 'DELETE', pool?: string): LoggedRequest[] {
    return this.requests.filter(
      (r) =>
        r.method === method && POOL_PATH.test(r.path) && (pool === undefined || r.path.endsWith(`/${pool}`)),
    );
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now() - this.#started;
    const url = new URL(req.url ?? '/', this.endpoint);
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}): void => {
      this.requests.push({
        method,
        path: url.pathname,
        apiVersion: url.searchParams.get('api-version') ?? undefined,
        status,
        at,
        body,
        authorization: req.headers.authorization,
      });
      res.writeHead(status, {
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    const fail = (
      status: number,
      code: string,
      message: string,
      headers: Record<string, string> = {},
      target?: string,
    ): void =>
      send(status, { error: { code, message, ...(target === undefined ? {} : { target }) } }, headers);

    if (!req.headers.authorization?.startsWith('Bearer ')) {
      return fail(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
      );
    }
    if (!url.searchParams.get('api-version')) {
      return fail(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    const injection = this.#injections.find(
      (i) => i.remaining > 0 && (i.method === undefined || i.method === method),
    );
    if (injection !== undefined) {
      injection.remaining--;
      return fail(
        injection.status,
        injection.error.code,
        injection.error.message,
        injection.headers,
        injection.error.target,
      );
    }

    const operation = OPERATION_PATH.exec(url.pathname);
    if (operation !== null && method === 'GET') {
      const op = this.#operations.get(operation[3]!);
      if (op === undefined) return fail(404, 'NotFound', `Operation ${operation[3]} not found.`);
      this.#observe(op);
      return send(200, this.#operationBody(op), this.#retryAfter());
    }

    const match = POOL_PATH.exec(url.pathname);
    if (match === null) return fail(404, 'InvalidResourceType', `No route for ${method} ${url.pathname}.`);
    const [, subscription, resourceGroup, cluster, name] = match as unknown as [
      string,
      string,
      string,
      string,
      string | undefined,
    ];
    const clusterKey = `${subscription}/${resourceGroup}/${cluster}`.toLowerCase();
    if (name === undefined) {
      if (method !== 'GET')
        return fail(405, 'MethodNotAllowed', `${method} is not allowed on the collection.`);
      return send(200, this.#list(clusterKey, url));
    }
    const key = `${clusterKey}/${name.toLowerCase()}`;
    const existing = this.#pools.get(key);
    if (existing?.operation !== undefined) this.#observe(this.#operations.get(existing.operation)!);
    const pool = this.#pools.get(key);

    switch (method) {
      case 'GET':
        if (pool === undefined) return fail(404, 'NotFound', `Agent pool ${name} not found.`);
        return send(200, this.#resource(pool));
      case 'PUT': {
        const properties = (body as { properties?: Record<string, unknown> } | undefined)?.properties;
        if (properties === undefined)
          return fail(400, 'InvalidRequestContent', 'The request content must contain properties.');
        if (!LINUX_POOL_NAME.test(name)) {
          return fail(
            400,
            'InvalidParameter',
            `The value of parameter agentPoolProfile.name is invalid. Please see https://aka.ms/aks-naming-rules for more details.`,
          );
        }
        const labels = properties['nodeLabels'];
        for (const [key, value] of Object.entries(isRecord(labels) ? labels : {})) {
          const refusal = nodeLabelRefusal(key, String(value));
          if (refusal !== undefined) return fail(400, refusal.code, refusal.message, {}, refusal.target);
        }
        if (typeof properties['vmSize'] !== 'string')
          return fail(400, 'InvalidParameter', 'The value of parameter agentPoolProfile.vmSize is invalid.');
        const count = properties['count'];
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > 1000) {
          return fail(
            400,
            'InvalidParameter',
            'The value of parameter agentPoolProfile.count is invalid. Allowed values are 0 to 1000.',
          );
        }
        if (pool !== undefined) {
          const state = String(pool.properties['provisioningState']);
          if (!TERMINAL.has(state)) {
            return fail(
              409,
              'OperationNotAllowed',
              `Operation is not allowed because there's an in progress ${state === 'Creating' ? 'create' : 'update'} node pool operation. Please wait for it to finish before starting a new operation.`,
            );
          }
          if (pool.properties['vmSize'] !== properties['vmSize']) {
            return fail(400, 'PropertyChangeNotAllowed', "Changing property 'vmSize' is not allowed.");
          }
        }
        const action = pool === undefined ? 'create' : 'update';
        const state =
          action === 'create' ? 'Creating' : pool!.properties['count'] !== count ? 'Scaling' : 'Updating';
        const stored: StoredPool = {
          name,
          subscription,
          resourceGroup,
          cluster,
          properties: { ...properties, provisioningState: state },
        };
        this.#pools.set(key, stored);
        const op = this.#start(key, action);
        stored.operation = op.id;
        return send(
          action === 'create' ? 201 : 200,
          this.#resource(stored),
          this.#asyncHeaders(op, subscription, url, false),
        );
      }
      case 'DELETE': {
        if (pool === undefined) return send(204);
        const state = String(pool.properties['provisioningState']);
        if (state === 'Deleting') {
          const op = this.#operations.get(pool.operation!)!;
          return send(202, undefined, this.#asyncHeaders(op, subscription, url, true));
        }
        if (!TERMINAL.has(state)) {
          return fail(
            409,
            'OperationNotAllowed',
            `Operation is not allowed because there's an in progress ${state === 'Creating' ? 'create' : 'update'} node pool operation. Please wait for it to finish before starting a new operation.`,
          );
        }
        pool.properties['provisioningState'] = 'Deleting';
        const op = this.#start(key, 'delete');
        pool.operation = op.id;
        return send(202, undefined, this.#asyncHeaders(op, subscription, url, true));
      }
      default:
        return fail(405, 'MethodNotAllowed', `${method} is not allowed.`);
    }
  }

  #start(poolKey: string, action: Operation['action']): Operation {
    const failure = action === 'delete' ? undefined : this.#failOperations.shift();
    const op: Operation = {
      id: `op-${this.#nextId++}`,
      poolKey,
      action,
      status: 'InProgress',
      reads: 0,
      startTime: new Date().toISOString(),
      ...(failure === undefined ? {} : { error: failure }),
    };
    this.#operations.set(op.id, op);
    return op;
  }

  /** One observation of an operation: it ends after `inProgressReads` of them, unless held. */
  #observe(op: Operation): void {
    if (op.status !== 'InProgress' || this.#held) return;
    op.reads++;
    if (op.reads <= this.#options.inProgressReads) return;
    const pool = this.#pools.get(op.poolKey);
    if (op.error !== undefined) {
      op.status = 'Failed';
      if (pool !== undefined) {
        pool.properties['provisioningState'] = 'Failed';
        pool.properties['status'] = { provisioningError: op.error };
        delete pool.operation;
      }
      return;
    }
    op.status = 'Succeeded';
    if (pool === undefined) return;
    if (op.action === 'delete') this.#pools.delete(op.poolKey);
    else {
      pool.properties['provisioningState'] = 'Succeeded';
      delete pool.properties['status'];
      delete pool.operation;
    }
  }

  #operationBody(op: Operation): Record<string, unknown> {
    return {
      id: op.id,
      name: op.id,
      status: op.status,
      startTime: op.startTime,
      ...(op.status === 'InProgress' ? {} : { endTime: new Date().toISOString() }),
      ...(op.status === 'Failed' ? { error: op.error } : {}),
    };
  }

  #retryAfter(): Record<string, string> {
    return { 'retry-after': String(this.#options.pollRetryAfterSeconds) };
  }

  #asyncHeaders(
    op: Operation,
    subscription: string,
    url: URL,
    withLocation: boolean,
  ): Record<string, string> {
    const apiVersion = url.searchParams.get('api-version')!;
    const operationUrl = `${this.endpoint}/subscriptions/${subscription}/providers/Microsoft.ContainerService/locations/${this.#options.location}/operations/${op.id}?api-version=${apiVersion}`;
    return {
      'azure-asyncoperation': operationUrl,
      ...(withLocation ? { location: operationUrl.replace('/operations/', '/operationresults/') } : {}),
      ...this.#retryAfter(),
    };
  }

  #resource(pool: StoredPool): Record<string, unknown> {
    return {
      id: `/subscriptions/${pool.subscription}/resourceGroups/${pool.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${pool.cluster}/agentPools/${pool.name}`,
      name: pool.name,
      type: 'Microsoft.ContainerService/managedClusters/agentPools',
      properties: pool.properties,
    };
  }

  #list(clusterKey: string, url: URL): Record<string, unknown> {
    const inCluster = (): StoredPool[] =>
      [...this.#pools.entries()]
        .filter(([key]) => key.startsWith(`${clusterKey}/`))
        .map(([, pool]) => pool)
        .sort((a, b) => a.name.localeCompare(b.name));
    for (const pool of inCluster()) {
      if (pool.operation !== undefined) this.#observe(this.#operations.get(pool.operation)!);
    }
    const all = inCluster();
    const skip = Number(url.searchParams.get('$skipToken') ?? '0');
    const next = skip + this.#options.pageSize;
    const nextLink = new URL(url.toString());
    nextLink.searchParams.set('$skipToken', String(next));
    return {
      value: all.slice(skip, next).map((pool) => this.#resource(pool)),
      ...(next < all.length ? { nextLink: nextLink.toString() } : {}),
    };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
