/**
 * Watches ("Efficient detection of changes" docs): a chunked response of newline-delimited
 * `{type, object}` events. Without a resourceVersion (or with "0") the current state arrives first as
 * ADDED; with one, the log after it is replayed, or a 410 Expired ERROR event is sent when it is older
 * than the compaction point, as the watch cache does. Selector transitions turn MODIFIED into ADDED or
 * DELETED. BOOKMARKs go to watches that allow them; `timeoutSeconds` ends the stream cleanly.
 */
import type { ServerResponse } from 'node:http';
import { badRequest, expired } from './errors.ts';
import type { KindDef } from './registry.ts';
import { apiVersionOf, viewAs } from './registry.ts';
import type { Selector } from './selectors.ts';
import type { Store, StoreEvent } from './store.ts';
import type { KubeObject } from './object.ts';

export interface WatchRequest {
  kind: KindDef;
  version: string;
  namespace: string | undefined;
  labels: Selector;
  fields: Selector;
  resourceVersion: string | null;
  allowBookmarks: boolean;
  timeoutSeconds: number | undefined;
}

interface Watcher {
  req: WatchRequest;
  res: ServerResponse;
  timers: NodeJS.Timeout[];
}

export class WatchHub {
  private readonly store: Store;
  private readonly bookmarkIntervalMs: number;
  private readonly watchers = new Set<Watcher>();

  constructor(store: Store, bookmarkIntervalMs: number) {
    this.store = store;
    this.bookmarkIntervalMs = bookmarkIntervalMs;
    store.subscribe((e) => {
      for (const w of this.watchers) this.deliver(w, e);
    });
  }

  /** Open watch connections right now. */
  get open(): number {
    return this.watchers.size;
  }

  private matches(w: Watcher, obj: KubeObject | undefined): boolean {
    if (!obj) return false;
    const { namespace, labels, fields } = w.req;
    if (namespace !== undefined && obj.metadata.namespace !== namespace) return false;
    return labels(obj) && fields(obj);
  }

  private send(w: Watcher, type: string, object: unknown): void {
    w.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  private deliver(w: Watcher, e: StoreEvent): void {
    if (e.kind !== w.req.kind) return;
    const now = this.matches(w, e.object);
    const before = this.matches(w, e.previous);
    let type: string | undefined;
    if (e.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else if (e.type === 'DELETED') type = before || now ? 'DELETED' : undefined;
    else type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined;
    if (type) this.send(w, type, viewAs(w.req.kind, w.req.version, e.object));
  }

  /** Parses the requested resourceVersion; throws 400 on garbage (before any header is written). */
  static parseResourceVersion(rv: string | null): number | undefined {
    if (rv === null || rv === '' || rv === '0') return undefined;
    if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
    return Number(rv);
  }

  start(req: WatchRequest, res: ServerResponse): void {
    const from = WatchHub.parseResourceVersion(req.resourceVersion);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    // Without this the client's fetch (and so Watch.watch / informer.start) waits for the first event.
    res.flushHeaders();
    const w: Watcher = { req, res, timers: [] };
    if (from !== undefined && from < this.store.oldestResourceVersion) {
      this.send(w, 'ERROR', expired(from, this.store.oldestResourceVersion).status());
      res.end();
      return;
    }
    if (from === undefined) {
      for (const obj of this.store.list(req.kind, req.kind.namespaced ? req.namespace : undefined)) {
        if (this.matches(w, obj)) this.send(w, 'ADDED', viewAs(req.kind, req.version, obj));
      }
    } else {
      for (const e of this.store.eventsSince(from)) this.deliver(w, e);
    }
    this.watchers.add(w);
    if (req.allowBookmarks) {
      w.timers.push(setInterval(() => this.bookmark(w), this.bookmarkIntervalMs));
    }
    if (req.timeoutSeconds !== undefined) {
      w.timers.push(setTimeout(() => res.end(), req.timeoutSeconds * 1000));
    }
    // On Node >= 16 req 'close' fires once the (empty) body is read; the response's close is the disconnect.
    res.on('close', () => this.forget(w));
  }

  private bookmark(w: Watcher): void {
    const rv = String(this.store.resourceVersion);
    this.send(w, 'BOOKMARK', {
      kind: w.req.kind.kind,
      apiVersion: apiVersionOf(w.req.kind.group, w.req.version),
      metadata: { resourceVersion: rv },
    });
  }

  /** Sends a BOOKMARK now to every watch that allowed bookmarks (tests need not wait for the interval). */
  bookmarkAll(): void {
    for (const w of this.watchers) if (w.req.allowBookmarks) this.bookmark(w);
  }

  private forget(w: Watcher): void {
    for (const t of w.timers) clearTimeout(t);
    this.watchers.delete(w);
  }

  /** Ends every watch stream cleanly, as an apiserver shutting down does; clients must re-watch. */
  dropAll(): void {
    for (const w of [...this.watchers]) {
      this.forget(w);
      w.res.end();
    }
  }
}
