/**
 * The controllers beside the apiserver that tests rely on, run synchronously on store changes:
 * the garbage collector ("Garbage Collection" docs: background, foreground and orphan propagation by
 * ownerReference uid) and the namespace controller (a deleted namespace is Terminating, its content is
 * deleted, and it disappears once empty).
 */
import type { KindDef } from './registry.ts';
import type { DeleteOptions, Store, StoreHooks } from './store.ts';
import type { KubeObject } from './object.ts';
import { clone } from './object.ts';

const FOREGROUND = 'foregroundDeletion';

export class LifecycleControllers implements StoreHooks {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
    store.hooks = this;
  }

  private dependentsOf(uid: string): { kind: KindDef; obj: KubeObject }[] {
    return this.store
      .all()
      .filter(({ obj }) => (obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
  }

  private dropOwner(kind: KindDef, obj: KubeObject, uid: string): void {
    const next = clone(obj);
    next.metadata.ownerReferences = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
    if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
    this.store.update(kind, obj.metadata.namespace, next);
  }

  beforeDelete(kind: KindDef, obj: KubeObject, options: DeleteOptions): string[] {
    const uid = obj.metadata.uid ?? '';
    if (options.propagationPolicy === 'Orphan') {
      for (const { kind: k, obj: dep } of this.dependentsOf(uid)) this.dropOwner(k, dep, uid);
      return [];
    }
    if (options.propagationPolicy === 'Foreground' && this.dependentsOf(uid).length > 0) return [FOREGROUND];
    return [];
  }

  deletionStarted(kind: KindDef, obj: KubeObject, options: DeleteOptions): void {
    if (kind.kind === 'Namespace') {
      this.terminateNamespace(kind, obj);
      return;
    }
    if ((obj.metadata.finalizers ?? []).includes(FOREGROUND)) {
      for (const { kind: k, obj: dep } of this.dependentsOf(obj.metadata.uid ?? '')) {
        if (!dep.metadata.deletionTimestamp)
          this.store.delete(k, dep.metadata.namespace, dep.metadata.name ?? '', options);
      }
      this.finishForeground(kind, obj.metadata.uid ?? '');
    }
  }

  removed(_kind: KindDef, obj: KubeObject): void {
    const uid = obj.metadata.uid ?? '';
    // Background collection: a dependent with another live owner only loses the dangling reference.
    for (const { kind, obj: dep } of this.dependentsOf(uid)) {
      const others = (dep.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (others.some((r) => this.store.exists(r.uid))) this.dropOwner(kind, dep, uid);
      else if (!dep.metadata.deletionTimestamp)
        this.store.delete(kind, dep.metadata.namespace, dep.metadata.name ?? '');
    }
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const owner = this.store.all().find((o) => o.obj.metadata.uid === ref.uid);
      if (owner) this.finishForeground(owner.kind, ref.uid);
    }
    if (obj.metadata.namespace) this.finishNamespace(obj.metadata.namespace);
  }

  /** Drops an owner's foregroundDeletion finalizer once no dependent blocks it any more. */
  private finishForeground(kind: KindDef, uid: string): void {
    const owner = this.store.all().find((o) => o.obj.metadata.uid === uid)?.obj;
    if (!owner?.metadata.deletionTimestamp || !(owner.metadata.finalizers ?? []).includes(FOREGROUND)) return;
    const blocking = this.dependentsOf(uid).some(({ obj }) =>
      (obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion === true),
    );
    if (blocking) return;
    const next = clone(owner);
    next.metadata.finalizers = (owner.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND);
    this.store.update(kind, owner.metadata.namespace, next);
  }

  private namespaceKind(): KindDef | undefined {
    return this.store.registry.find('', 'v1', 'namespaces');
  }

  private terminateNamespace(kind: KindDef, ns: KubeObject): void {
    const name = ns.metadata.name ?? '';
    this.store.update(kind, undefined, { ...ns, status: { phase: 'Terminating' } }, 'status');
    for (const k of this.store.registry.kinds) {
      if (!k.namespaced) continue;
      for (const obj of this.store.list(k, name)) {
        if (!obj.metadata.deletionTimestamp) this.store.delete(k, name, obj.metadata.name ?? '');
      }
    }
    this.finishNamespace(name);
  }

  /** Removes a terminating namespace's `kubernetes` finalizer once nothing is left in it. */
  private finishNamespace(name: string): void {
    const kind = this.namespaceKind();
    const ns = kind && this.store.get(kind, undefined, name);
    if (!kind || !ns?.metadata.deletionTimestamp) return;
    if (this.store.registry.kinds.some((k) => k.namespaced && this.store.list(k, name).length > 0)) return;
    this.store.update(kind, undefined, { ...ns, spec: { ...(ns['spec'] as object), finalizers: [] } });
  }
}
