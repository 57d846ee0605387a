/**
 * Plain objects from the source repository (ConfigMaps, PersistentVolumeClaims) travel with the
 * Workspace that references them, so a Workspace directory applies on its own.
 *
 * The rule: an object goes into the directory of the first Workspace, in namespace/name order, that
 * references it, and only there (Kustomize refuses an object listed twice). References are
 * namespace-local: `inference.config` and `tuning.config` (ConfigMaps), every `volumeSource` (adapters,
 * tuning input and output) and, for template Workspaces, the pod's volumes, `env` and `envFrom`
 * (`persistentVolumeClaim.claimName`, `configMap.name`, projected ConfigMaps, `configMapKeyRef`,
 * `configMapRef`). Objects no Workspace references are returned apart, for the pipeline to report:
 * rendering them would mean guessing a directory for them.
 */
import {
  DEFAULT_NAMESPACE,
  SERVER_SET_METADATA,
  compareNamespaced,
  compareStrings,
  namespacedKey,
  type SourceObject,
  type Workspace,
} from '../api/index.ts';
import { SpecError } from '../errors.ts';
import { withWorkspaceLabels } from './labels.ts';
import type { Manifest } from './types.ts';

export type ReferenceKind = 'ConfigMap' | 'PersistentVolumeClaim';
export interface Reference {
  kind: ReferenceKind;
  name: string;
  /** The field of the Workspace that names it, e.g. `inference.config`. */
  field: string;
}

export interface PassThroughAssignment {
  /** Objects to emit with each Workspace, keyed by `namespace/name` ({@link namespacedKey}). */
  byWorkspace: Map<string, SourceObject[]>;
  /** Objects no Workspace references, sorted by kind, namespace and name. */
  unreferenced: SourceObject[];
}

/** Every ConfigMap and PersistentVolumeClaim the Workspace refers to, in its namespace. */
export function references(workspace: Workspace): Reference[] {
  const found: Reference[] = [];
  const add = (at: string) => (kind: ReferenceKind, name: unknown) => {
    if (typeof name === 'string' && name !== '') found.push({ kind, name, field: at });
  };
  add('inference.config')('ConfigMap', workspace.inference?.config);
  add('tuning.config')('ConfigMap', workspace.tuning?.config);
  (workspace.inference?.adapters ?? []).forEach((adapter, i) =>
    volumeReferences(adapter.source.volumeSource, add(`inference.adapters[${i}].source.volumeSource`)),
  );
  volumeReferences(workspace.tuning?.input.volumeSource, add('tuning.input.volumeSource'));
  volumeReferences(workspace.tuning?.output.volumeSource, add('tuning.output.volumeSource'));
  const spec = field(workspace.inference?.template, 'spec');
  list(field(spec, 'volumes')).forEach((volume, i) =>
    volumeReferences(volume, add(`inference.template.spec.volumes[${i}]`)),
  );
  for (const key of ['containers', 'initContainers']) {
    list(field(spec, key)).forEach((container, i) => {
      const at = add(`inference.template.spec.${key}[${i}]`);
      for (const env of list(field(container, 'env'))) {
        at('ConfigMap', field(field(field(env, 'valueFrom'), 'configMapKeyRef'), 'name'));
      }
      for (const envFrom of list(field(container, 'envFrom')))
        at('ConfigMap', field(field(envFrom, 'configMapRef'), 'name'));
    });
  }
  return found;
}

export function assignPassThrough(
  workspaces: readonly Workspace[],
  objects: readonly SourceObject[],
): PassThroughAssignment {
  const byIdentity = new Map<string, SourceObject>();
  for (const object of objects) {
    const id = identity(object.kind, namespaceOf(object), object.metadata.name);
    if (byIdentity.has(id)) {
      throw new SpecError([
        {
          path: 'metadata.name',
          message: `${object.kind} "${namespaceOf(object)}/${object.metadata.name}" is defined more than once in the source; keep one definition`,
        },
      ]);
    }
    byIdentity.set(id, object);
  }
  const byWorkspace = new Map<string, SourceObject[]>();
  const claimed = new Set<string>();
  for (const workspace of [...workspaces].sort(compareNamespaced)) {
    const mine: SourceObject[] = [];
    for (const reference of references(workspace)) {
      const id = identity(reference.kind, workspace.namespace, reference.name);
      const object = byIdentity.get(id);
      if (object === undefined || claimed.has(id)) continue;
      claimed.add(id);
      mine.push(object);
    }
    if (mine.length > 0) byWorkspace.set(namespacedKey(workspace.namespace, workspace.name), mine);
  }
  const unreferenced = [...byIdentity.entries()]
    .filter(([id]) => !claimed.has(id))
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([, object]) => object);
  return { byWorkspace, unreferenced };
}

/**
 * The object as it goes into a Workspace directory: namespace explicit, the Workspace labels added,
 * server-set metadata and `status` dropped.
 */
export function passThroughManifest(object: SourceObject, workspaceName: string): Manifest {
  const { status: _status, ...rest } = structuredClone(object) as SourceObject & { status?: unknown };
  const metadata: Record<string, unknown> = { ...rest.metadata };
  for (const key of SERVER_SET_METADATA) delete metadata[key];
  return {
    ...rest,
    metadata: {
      ...metadata,
      name: object.metadata.name,
      namespace: namespaceOf(object),
      labels: withWorkspaceLabels(object.metadata.labels, workspaceName),
    },
  };
}

export function namespaceOf(object: SourceObject): string {
  return object.metadata.namespace ?? DEFAULT_NAMESPACE;
}

/** `kind/namespace/name`: what Kustomize (and the API server) tell objects apart by, within one group. */
export function identity(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function volumeReferences(volume: unknown, add: (kind: ReferenceKind, name: unknown) => void): void {
  add('PersistentVolumeClaim', field(field(volume, 'persistentVolumeClaim'), 'claimName'));
  add('ConfigMap', field(field(volume, 'configMap'), 'name'));
  for (const source of list(field(field(volume, 'projected'), 'sources'))) {
    add('ConfigMap', field(field(source, 'configMap'), 'name'));
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
