/**
 * An in-process Kubernetes API server for tests, driven over HTTP by the real `@kubernetes/client-node`.
 * What it mirrors and what it simplifies: README.md beside this file.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { RequestCounters } from './counters.ts';
import { CrdControllers } from './crds.ts';
import { ApiError } from './errors.ts';
import { handle } from './handler.ts';
import { LifecycleControllers } from './lifecycle.ts';
import type { KubeObject } from './object.ts';
import type { KindDef } from './registry.ts';
import { DEFAULT_KINDS, Registry } from './registry.ts';
import { Store } from './store.ts';
import { WatchHub } from './watch.ts';

export type { KubeObject } from './object.ts';
export type { KindDef } from './registry.ts';
export type { Verb } from './counters.ts';
export { DEFAULT_KINDS } from './registry.ts';
export { RequestCounters } from './counters.ts';

export interface KubeApiServerOptions {
  /** Bearer token required on every request; `null` turns authentication off. @default 'test-token' */
  token?: string | null;
  /** Served kinds. @default DEFAULT_KINDS */
  kinds?: readonly KindDef[];
  /** Namespaces that exist at start. @default ['default', 'kube-system', 'kube-public', 'kube-node-lease'] */
  namespaces?: string[];
  /** CustomResourceDefinitions installed at start (e.g. Kaito's or kaito-gitops' Workspace CRD). */
  crds?: readonly KubeObject[];
  /** Interval of BOOKMARK events on watches that allow them; `bookmark()` sends one at once. @default 60000 (as the real server) */
  bookmarkIntervalMs?: number;
}

export interface KubeApiServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** A KubeConfig for this server, with the token, namespace `default`. */
  kubeConfig(): k8s.KubeConfig;
  /** Requests by verb and resource since start or the last `requests.reset()`. */
  requests: RequestCounters;
  /** Stores an object as given (status kept) bypassing the API: test setup. Resolves kind from apiVersion/kind. */
  seed(obj: KubeObject): KubeObject;
  /** Creates or replaces a CustomResourceDefinition, as `kubectl apply` of a CRD would: test setup. */
  installCrd(crd: KubeObject): KubeObject;
  /** Reads one stored object (as stored: apiVersion of the preferred version), or undefined. */
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined;
  /** Stored objects of a kind, optionally in one namespace. */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** The current global resourceVersion. */
  resourceVersion(): number;
  /** Forgets history: watches from an older resourceVersion now get 410 Gone. */
  compact(): void;
  /** Sends a BOOKMARK now to every watch that allows bookmarks. */
  bookmark(): void;
  /** Ends every open watch cleanly, as an apiserver restart does. */
  dropWatches(): void;
  /** Watch connections open right now. */
  openWatches(): number;
  close(): Promise<void>;
}

function kindOf(registry: Registry, apiVersion: string, kind: string): KindDef {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const def = registry.kinds.find(
    (k) => k.group === group && k.kind === kind && k.versions.includes(version ?? ''),
  );
  if (!def) throw new Error(`kind ${kind} of ${apiVersion} is not served by the test API server`);
  return def;
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const token = options.token === null ? undefined : (options.token ?? 'test-token');
  const registry = new Registry(options.kinds ?? DEFAULT_KINDS);
  const store = new Store(registry);
  new LifecycleControllers(store);
  new CrdControllers(store);
  const nsKind = registry.find('', 'v1', 'namespaces');
  if (nsKind) {
    for (const name of options.namespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      store.create(nsKind, undefined, { metadata: { name } });
    }
  }
  const crdKind = registry.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
  const installCrd = (crd: KubeObject): KubeObject => {
    if (!crdKind) throw new Error('this server does not serve CustomResourceDefinitions');
    const current = store.get(crdKind, undefined, crd.metadata.name ?? '');
    if (!current) return store.create(crdKind, undefined, crd);
    return store.update(crdKind, undefined, {
      ...crd,
      metadata: { ...crd.metadata, resourceVersion: current.metadata.resourceVersion },
    });
  };
  for (const crd of options.crds ?? []) installCrd(crd);
  const hub = new WatchHub(store, options.bookmarkIntervalMs ?? 60_000);
  const counters = new RequestCounters();
  let url = '';
  const server = createServer((req, res) => {
    void handle({ store, hub, counters, token, serverAddress: () => url.replace('http://', '') }, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    kubeConfig() {
      const kc = new k8s.KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'test', server: url, skipTLSVerify: true }],
        users: [{ name: 'test', ...(token !== undefined ? { token } : {}) }],
        contexts: [{ name: 'test', cluster: 'test', user: 'test', namespace: 'default' }],
        currentContext: 'test',
      });
      return kc;
    },
    requests: counters,
    installCrd,
    seed(obj) {
      const def = kindOf(registry, obj.apiVersion ?? '', obj.kind ?? '');
      return store.create(def, obj.metadata.namespace, obj, true);
    },
    get(apiVersion, kind, name, namespace) {
      return store.get(kindOf(registry, apiVersion, kind), namespace, name);
    },
    list(apiVersion, kind, namespace) {
      return store.list(kindOf(registry, apiVersion, kind), namespace);
    },
    resourceVersion: () => store.resourceVersion,
    compact: () => store.compact(),
    bookmark: () => hub.bookmarkAll(),
    dropWatches: () => hub.dropAll(),
    openWatches: () => hub.open,
    async close() {
      hub.dropAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { ApiError };
