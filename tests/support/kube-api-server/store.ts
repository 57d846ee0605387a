/**
 * Object storage with the semantics of k8s.io/apiserver's generic registry over etcd: one global
 * resourceVersion counter, uid and creationTimestamp on create, generation bumped only by spec changes,
 * status isolation for kinds with a status subresource, no-op updates that change nothing, finalizers
 * with deletionTimestamp, and background/orphan garbage collection by ownerReference uid. Every change is
 * appended to an event log that watches replay from; `compact()` forgets it, as etcd compaction does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError, alreadyExists, conflict, invalid, notFound, type ErrorTarget } from './errors.ts';
import type { KindDef, Registry } from './registry.ts';
import { apiVersionOf, resourceName } from './registry.ts';
import type { KubeObject } from './object.ts';
import { clone, deepEqual, isMap } from './object.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, as watches see it. `previous` is the object before the change (for selector transitions). */
export interface StoreEvent {
  type: EventType;
  rv: number;
  kind: KindDef;
  object: KubeObject;
  previous?: KubeObject;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** What a DELETE did: the object is gone, or it waits for finalizers with deletionTimestamp set. */
export interface DeleteResult {
  object: KubeObject;
  deleted: boolean;
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function randomSuffix(): string {
  return [...randomBytes(5)].map((b) => NAME_CHARS[b % NAME_CHARS.length]).join('');
}

/** Everything that counts for `metadata.generation`: the object minus metadata, status and type fields. */
function specOf(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function withoutVolatile(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export function targetOf(kind: KindDef, name?: string): ErrorTarget {
  return { group: kind.group, plural: kind.plural, kind: kind.kind, ...(name !== undefined ? { name } : {}) };
}

/**
 * The controllers a cluster runs beside the apiserver that this server needs: garbage collection and
 * namespace termination (lifecycle.ts). Called synchronously from the store's writes.
 */
export interface StoreHooks {
  /** Before deletion starts; returns finalizers to add (e.g. `foregroundDeletion`). */
  beforeDelete(kind: KindDef, obj: KubeObject, options: DeleteOptions): string[];
  /** After deletionTimestamp was set on an object that has finalizers. */
  deletionStarted(kind: KindDef, obj: KubeObject, options: DeleteOptions): void;
  /** After an object left the store. */
  removed(kind: KindDef, obj: KubeObject): void;
}

/** What still holds a deleting object: metadata.finalizers, and for a Namespace its spec.finalizers. */
function pendingFinalizers(obj: KubeObject): string[] {
  const spec = obj['spec'];
  const specFinalizers =
    obj.kind === 'Namespace' && isMap(spec) && Array.isArray(spec['finalizers']) ? spec['finalizers'] : [];
  return [...(obj.metadata.finalizers ?? []), ...specFinalizers.map(String)];
}

export class Store {
  readonly registry: Registry;
  hooks: StoreHooks | undefined;
  private rv = 0;
  private compactedRv = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private log: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  constructor(registry: Registry) {
    this.registry = registry;
    for (const k of registry.kinds) this.objects.set(resourceName(k), new Map());
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch may still start from. */
  get oldestResourceVersion(): number {
    return this.compactedRv;
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `rv` still in the log (callers check `oldestResourceVersion` first). */
  eventsSince(rv: number): StoreEvent[] {
    return this.log.filter((e) => e.rv > rv);
  }

  /** Forgets history up to now: watches from an older resourceVersion get 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.log = [];
  }

  /** A kind's objects; kinds a CRD adds while serving get theirs on first use. */
  private bucket(kind: KindDef): Map<string, KubeObject> {
    let b = this.objects.get(resourceName(kind));
    if (!b) {
      b = new Map();
      this.objects.set(resourceName(kind), b);
    }
    return b;
  }

  private static key(namespace: string | undefined, name: string): string {
    return `${namespace ?? ''}/${name}`;
  }

  get(kind: KindDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.bucket(kind).get(Store.key(kind.namespaced ? namespace : undefined, name));
    return obj && clone(obj);
  }

  require(kind: KindDef, namespace: string | undefined, name: string): KubeObject {
    const obj = this.get(kind, namespace, name);
    if (!obj) throw notFound(targetOf(kind, name));
    return obj;
  }

  /** Objects of a kind in key order (namespace, then name), as etcd lists them. */
  list(kind: KindDef, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const [key, obj] of [...this.bucket(kind)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (namespace === undefined || key.startsWith(`${namespace}/`)) out.push(clone(obj));
    }
    return out;
  }

  private emit(type: EventType, kind: KindDef, object: KubeObject, previous?: KubeObject): void {
    const event: StoreEvent = {
      type,
      rv: this.rv,
      kind,
      object: clone(object),
      ...(previous ? { previous } : {}),
    };
    this.log.push(event);
    for (const l of this.listeners) l(event);
  }

  private remove(kind: KindDef, gone: KubeObject, old: KubeObject): void {
    this.bucket(kind).delete(Store.key(gone.metadata.namespace, gone.metadata.name ?? ''));
    this.emit('DELETED', kind, gone, old);
    this.hooks?.removed(kind, clone(gone));
  }

  private put(kind: KindDef, obj: KubeObject): void {
    this.bucket(kind).set(Store.key(obj.metadata.namespace, obj.metadata.name ?? ''), clone(obj));
  }

  private requireNamespace(kind: KindDef, namespace: string | undefined, name: string): void {
    if (!kind.namespaced) return;
    const nsKind = this.registry.find('', 'v1', 'namespaces');
    const ns = nsKind && this.get(nsKind, undefined, namespace ?? '');
    if (!ns) throw notFound({ group: '', plural: 'namespaces', kind: 'Namespace', name: namespace ?? '' });
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `${resourceName(kind)} "${name}" is forbidden: unable to create new content in namespace ${namespace ?? ''} because it is being terminated`,
        {
          name,
          ...(kind.group ? { group: kind.group } : {}),
          kind: kind.plural,
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${namespace ?? ''} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
    }
  }

  /**
   * Creates an object (POST, or server-side apply of an absent one). `keepStatus` is for seeding:
   * a real create through the API drops `status` where the kind has a status subresource.
   */
  create(kind: KindDef, namespace: string | undefined, input: KubeObject, keepStatus = false): KubeObject {
    const obj = clone(input);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    if (!meta.name) {
      throw invalid(targetOf(kind, ''), [
        {
          reason: 'FieldValueRequired',
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
        },
      ]);
    }
    if (kind.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    this.requireNamespace(kind, namespace, meta.name);
    if (this.get(kind, namespace, meta.name)) throw alreadyExists(targetOf(kind, meta.name));
    if (kind.statusSubresource && !keepStatus) delete obj['status'];
    if (kind.kind === 'Namespace') {
      obj['spec'] = { finalizers: ['kubernetes'] };
      obj['status'] = { phase: 'Active' };
    }
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    if (kind.generation) meta.generation = 1;
    else delete meta.generation;
    meta.resourceVersion = String(++this.rv);
    obj.apiVersion = apiVersionOf(kind.group, kind.versions[0] ?? '');
    obj.kind = kind.kind;
    this.put(kind, obj);
    this.emit('ADDED', kind, obj);
    return clone(obj);
  }

  /**
   * Replaces an object (PUT, and every patch after it is computed). `subresource: 'status'` changes only
   * status; a main-resource write keeps the stored status where the kind has the subresource.
   */
  update(
    kind: KindDef,
    namespace: string | undefined,
    input: KubeObject,
    subresource?: 'status',
  ): KubeObject {
    const name = input.metadata.name ?? '';
    const old = this.require(kind, namespace, name);
    const target = targetOf(kind, name);
    const sent = input.metadata.resourceVersion;
    if (sent !== undefined && sent !== '' && sent !== old.metadata.resourceVersion) throw conflict(target);
    let next: KubeObject;
    if (subresource === 'status') {
      next = { ...clone(old), status: clone(input['status']) };
      if (input['status'] === undefined) delete next['status'];
      next.metadata.managedFields = input.metadata.managedFields ?? old.metadata.managedFields ?? [];
    } else {
      next = clone(input);
      if (kind.statusSubresource) {
        if (old['status'] === undefined) delete next['status'];
        else next['status'] = old['status'];
      }
      const keep = [
        'uid',
        'creationTimestamp',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
        'generation',
      ] as const;
      for (const field of keep) {
        if (old.metadata[field] === undefined) delete next.metadata[field];
        else (next.metadata as Record<string, unknown>)[field] = old.metadata[field];
      }
      if (!deepEqual(specOf(old), specOf(next)))
        next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
    next.metadata.name = name;
    if (kind.namespaced) next.metadata.namespace = namespace;
    else delete next.metadata.namespace;
    next.apiVersion = old.apiVersion;
    next.kind = old.kind;
    if (old.metadata.deletionTimestamp) {
      const added = (next.metadata.finalizers ?? []).filter(
        (f) => !(old.metadata.finalizers ?? []).includes(f),
      );
      if (added.length > 0) {
        throw invalid(target, [
          {
            reason: 'FieldValueForbidden',
            field: 'metadata.finalizers',
            message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
          },
        ]);
      }
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (deepEqual(withoutVolatile(old), withoutVolatile(next))) return old;
    next.metadata.resourceVersion = String(++this.rv);
    if (next.metadata.deletionTimestamp && pendingFinalizers(next).length === 0) {
      this.remove(kind, next, old);
      return next;
    }
    this.put(kind, next);
    this.emit('MODIFIED', kind, next, old);
    return clone(next);
  }

  /** DELETE: immediate without finalizers, else deletionTimestamp now and removal with the last finalizer. */
  delete(
    kind: KindDef,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): DeleteResult {
    const old = this.require(kind, namespace, name);
    const target = targetOf(kind, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(
        target,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid ?? ''}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        target,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ''}`,
      );
    }
    if (old.metadata.deletionTimestamp) return { object: old, deleted: false };
    const added = (this.hooks?.beforeDelete(kind, old, options) ?? []).filter(
      (f) => !(old.metadata.finalizers ?? []).includes(f),
    );
    if (pendingFinalizers(old).length > 0 || added.length > 0) {
      const next = clone(old);
      if (added.length > 0) next.metadata.finalizers = [...(old.metadata.finalizers ?? []), ...added];
      next.metadata.deletionTimestamp = now();
      next.metadata.deletionGracePeriodSeconds = 0;
      // rest.BeforeDelete bumps generation when graceful deletion starts, so controllers notice.
      if ((next.metadata.generation ?? 0) > 0) next.metadata.generation = (next.metadata.generation ?? 0) + 1;
      next.metadata.resourceVersion = String(++this.rv);
      this.put(kind, next);
      this.emit('MODIFIED', kind, next, old);
      this.hooks?.deletionStarted(kind, clone(next), options);
      // The hooks may have finished the deletion already (foreground deletion without blocking dependents).
      const current = this.get(kind, namespace, name);
      return current ? { object: current, deleted: false } : { object: next, deleted: true };
    }
    const gone = clone(old);
    gone.metadata.resourceVersion = String(++this.rv);
    this.remove(kind, gone, old);
    return { object: gone, deleted: true };
  }

  /** Every stored object with its kind (copies), for the lifecycle controllers. */
  all(): { kind: KindDef; obj: KubeObject }[] {
    const out: { kind: KindDef; obj: KubeObject }[] = [];
    for (const kind of this.registry.kinds) {
      for (const obj of this.bucket(kind).values()) out.push({ kind, obj: clone(obj) });
    }
    return out;
  }

  /** Whether an object with this uid exists (owner lookups). */
  exists(uid: string): boolean {
    for (const bucket of this.objects.values()) {
      for (const obj of bucket.values()) if (obj.metadata.uid === uid) return true;
    }
    return false;
  }
}
