/**
 * Object storage with the semantics of k8s.io/apiserver's generic registry over etcd: one global
 * resourceVersion counter, uid and creationTimestamp on create, generation bumped only by spec changes,
 * status isolation for kinds with a status subresource, no-op updates that change nothing, finalizers
 * with deletionTimestamp, and background/orphan garbage collection by ownerReference uid. Every change is
 * appended to an event log that watches replay from; `compact()` forgets it, as etcd compaction does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { alreadyExists, conflict, invalid, notFound, type ErrorTarget } from './errors.ts';
import type { KindDef, Registry } from './registry.ts';
import { apiVersionOf, resourceName } from './registry.ts';
import type { KubeObject } from './object.ts';
import { clone, deepEqual } from './object.ts';

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

export class Store {
  readonly registry: Registry;
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

  private bucket(kind: KindDef): Map<string, KubeObject> {
    const b = this.objects.get(resourceName(kind));
    if (!b) throw new Error(`kind ${resourceName(kind)} is not registered`);
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

  private put(kind: KindDef, obj: KubeObject): void {
    this.bucket(kind).set(Store.key(obj.metadata.namespace, obj.metadata.name ?? ''), clone(obj));
  }

  private requireNamespace(kind: KindDef, namespace: string | undefined): void {
    if (!kind.namespaced) return;
    const nsKind = this.registry.find('', 'v1', 'namespaces');
    if (!nsKind || !this.get(nsKind, undefined, namespace ?? '')) {
      throw notFound({ group: '', plural: 'namespaces', kind: 'Namespace', name: namespace ?? '' });
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
    this.requireNamespace(kind, namespace);
    if (this.get(kind, namespace, meta.name)) throw alreadyExists(targetOf(kind, meta.name));
    if (kind.statusSubresource && !keepStatus) delete obj['status'];
    if (kind.kind === 'Namespace') obj['status'] = { phase: 'Active' };
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    meta.generation = 1;
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
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      this.bucket(kind).delete(Store.key(namespace && kind.namespaced ? namespace : undefined, name));
      this.emit('DELETED', kind, next, old);
      this.collectDependents(next.metadata.uid ?? '');
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
    if (options.propagationPolicy === 'Orphan') this.orphanDependents(old.metadata.uid ?? '');
    if ((old.metadata.finalizers ?? []).length > 0) {
      if (old.metadata.deletionTimestamp) return { object: old, deleted: false };
      const next = clone(old);
      next.metadata.deletionTimestamp = now();
      next.metadata.deletionGracePeriodSeconds = 0;
      // rest.BeforeDelete bumps generation when graceful deletion starts, so controllers notice.
      if ((next.metadata.generation ?? 0) > 0) next.metadata.generation = (next.metadata.generation ?? 0) + 1;
      next.metadata.resourceVersion = String(++this.rv);
      this.put(kind, next);
      this.emit('MODIFIED', kind, next, old);
      return { object: clone(next), deleted: false };
    }
    this.bucket(kind).delete(Store.key(kind.namespaced ? namespace : undefined, name));
    const gone = clone(old);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit('DELETED', kind, gone, old);
    this.collectDependents(old.metadata.uid ?? '');
    return { object: gone, deleted: true };
  }

  private findByUid(uid: string): boolean {
    for (const bucket of this.objects.values()) {
      for (const obj of bucket.values()) if (obj.metadata.uid === uid) return true;
    }
    return false;
  }

  private dependentsOf(uid: string): { kind: KindDef; obj: KubeObject }[] {
    const out: { kind: KindDef; obj: KubeObject }[] = [];
    for (const kind of this.registry.kinds) {
      for (const obj of this.bucket(kind).values()) {
        if ((obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid))
          out.push({ kind, obj: clone(obj) });
      }
    }
    return out;
  }

  private dropOwner(kind: KindDef, obj: KubeObject, uid: string): void {
    const next = clone(obj);
    next.metadata.ownerReferences = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
    if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
    this.update(kind, obj.metadata.namespace, next);
  }

  /** `propagationPolicy: Orphan`: dependents lose their reference to the owner and stay. */
  private orphanDependents(uid: string): void {
    for (const { kind, obj } of this.dependentsOf(uid)) this.dropOwner(kind, obj, uid);
  }

  /**
   * Background garbage collection after an owner is gone: a dependent whose other owners still exist
   * only loses the dangling reference; one with no owner left is deleted (recursively, finalizers honoured).
   */
  private collectDependents(uid: string): void {
    if (!uid) return;
    for (const { kind, obj } of this.dependentsOf(uid)) {
      const others = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (others.some((r) => this.findByUid(r.uid))) this.dropOwner(kind, obj, uid);
      else if (!obj.metadata.deletionTimestamp)
        this.delete(kind, obj.metadata.namespace, obj.metadata.name ?? '');
    }
  }
}
