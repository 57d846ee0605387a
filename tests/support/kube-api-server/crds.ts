/**
 * The apiextensions controllers, run synchronously on store changes: a CustomResourceDefinition that is
 * created or updated starts serving its kind with its schemas (replacing the kind of the same group and
 * plural; stored objects stay and are read through the new schema, as after `kubectl apply` of a CRD),
 * gets `Established`/`NamesAccepted` conditions, `acceptedNames` and `storedVersions`; a deleted one
 * stops serving its kind and its objects are gone.
 */
import type { JsonMap, KubeObject } from './object.ts';
import { clone, isMap } from './object.ts';
import { kindFromCrd, resourceName, text, type KindDef } from './registry.ts';
import type { Store } from './store.ts';

const CRD_RESOURCE = 'customresourcedefinitions.apiextensions.k8s.io';

function established(crd: KubeObject, time: string): JsonMap {
  const spec = crd['spec'] as JsonMap;
  const versions = (spec['versions'] as JsonMap[])
    .filter((v) => v['storage'] === true)
    .map((v) => text(v['name']));
  const previous =
    isMap(crd['status']) && Array.isArray(crd['status']['storedVersions'])
      ? crd['status']['storedVersions']
      : [];
  const condition = (type: string, reason: string, message: string): JsonMap => ({
    type,
    status: 'True',
    reason,
    message,
    lastTransitionTime: time,
  });
  return {
    acceptedNames: clone(spec['names'] as JsonMap),
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    storedVersions: [...new Set([...previous, ...versions])],
  };
}

export class CrdControllers {
  constructor(store: Store) {
    store.subscribe((event) => {
      if (resourceName(event.kind) !== CRD_RESOURCE) return;
      const crd = event.object;
      if (event.type === 'DELETED') {
        const kind = kindFromCrd(crd as unknown as JsonMap);
        for (const obj of store.list(kind)) {
          const gone = { ...obj, metadata: { ...obj.metadata, finalizers: [] } };
          if (obj.metadata.finalizers?.length) store.update(kind, obj.metadata.namespace, gone);
          if (store.get(kind, obj.metadata.namespace, obj.metadata.name ?? ''))
            store.delete(kind, obj.metadata.namespace, obj.metadata.name ?? '');
        }
        store.registry.remove(kind.group, kind.plural);
        return;
      }
      const kind: KindDef = kindFromCrd(crd as unknown as JsonMap);
      store.registry.upsert(kind);
      const status = established(crd, crd.metadata.creationTimestamp ?? '');
      const current = isMap(crd['status']) ? crd['status'] : {};
      if (JSON.stringify(current) !== JSON.stringify(status))
        store.update(event.kind, undefined, { ...crd, status }, 'status');
    });
  }
}
