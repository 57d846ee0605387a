/**
 * One client-node informer (`ListWatch`: list, then watch from the list's resourceVersion; it relists
 * after 410 Gone and reconnects when a watch ends) whose cache holds objects trimmed to what the agent
 * reads (cache-shapes.ts). Objects are trimmed as they arrive: the watch's callback is wrapped, and
 * the list is read in pages of {@link PAGE_SIZE}, each trimmed before the next is asked for, so neither
 * the cache nor the start-up peak holds a cluster's full objects.
 */
import * as k8s from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';

export type Informer<T extends KubernetesObject> = k8s.Informer<T> & k8s.ObjectCache<T>;

/** One page of a list: client-node's typed lists name the token `_continue`, raw JSON `continue`. */
export interface ListPage {
  metadata?: { resourceVersion?: string; _continue?: string; continue?: string };
  items: readonly unknown[];
}

/** Objects per list request (the API server's chunking, `limit` and `continue`). */
export const PAGE_SIZE = 250;

export interface TrimmedInformerOptions<T extends KubernetesObject> {
  /** Watch path, e.g. `/api/v1/pods`. */
  path: string;
  /** One page of the list, from `continueToken` on (undefined: the first page), at most `limit` items. */
  listPage(limit: number, continueToken: string | undefined): Promise<ListPage>;
  trim(object: unknown): T;
  labelSelector?: string;
}

/** A Watch that hands the cache trimmed objects (status objects of ERROR events pass as they are). */
class TrimmingWatch extends k8s.Watch {
  readonly #trim: (object: unknown) => unknown;

  constructor(kc: k8s.KubeConfig, trim: (object: unknown) => unknown) {
    super(kc);
    this.#trim = trim;
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      queryParams,
      (phase, object, watchObj) => callback(phase, phase === 'ERROR' ? object : this.#trim(object), watchObj),
      done,
    );
  }
}

export function trimmedInformer<T extends KubernetesObject>(
  kc: k8s.KubeConfig,
  options: TrimmedInformerOptions<T>,
): Informer<T> {
  const list = async (): Promise<k8s.KubernetesListObject<T>> => {
    const items: T[] = [];
    let resourceVersion: string | undefined;
    let token: string | undefined;
    do {
      const page = await options.listPage(PAGE_SIZE, token);
      for (const item of page.items) items.push(options.trim(item));
      // Every page of one list is served from the first page's snapshot and carries its resourceVersion.
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      token = page.metadata?._continue ?? page.metadata?.continue;
    } while (token !== undefined && token !== '');
    return { metadata: { ...(resourceVersion !== undefined ? { resourceVersion } : {}) }, items };
  };
  return new k8s.ListWatch<T>(
    options.path,
    new TrimmingWatch(kc, (object) => options.trim(object)),
    list,
    false,
    options.labelSelector,
  );
}
