/**
 * The kinds this server serves and the discovery documents describing them (`/api`, `/apis`,
 * `/api/v1`, `/apis/<group>/<version>`), which `KubernetesObjectApi` reads before every call. Custom
 * resources served from a CustomResourceDefinition carry its per-version structural schemas.
 */
import type { JsonMap } from './object.ts';
import { isMap } from './object.ts';
import { pruneAndDefault, type Schema } from './structural.ts';

/** One served resource. Several versions share one storage; responses carry the version asked for. */
export interface KindDef {
  /** API group; `''` for the core group. */
  group: string;
  /** Served versions, the first one preferred. */
  versions: string[];
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Whether `/status` is a subresource: main-resource writes then ignore `status`, and vice versa. */
  statusSubresource: boolean;
  /** Custom resources refuse strategic merge patch (415) and list items carry apiVersion/kind. */
  custom: boolean;
  /** Whether the registry maintains `metadata.generation` (workload kinds and CRDs; not ConfigMaps, Pods...). */
  generation: boolean;
  shortNames?: string[];
  /**
   * Per served version, the CRD's `openAPIV3Schema`: objects are pruned and defaulted with it on every
   * write and read at that version. Absent for built-in kinds and the schemaless default Workspace kind.
   */
  schemas?: Readonly<Record<string, Schema>>;
}

const core = (
  plural: string,
  kind: string,
  namespaced: boolean,
  status: boolean,
  shortNames?: string[],
): KindDef => ({
  group: '',
  versions: ['v1'],
  plural,
  singular: kind.toLowerCase(),
  kind,
  namespaced,
  statusSubresource: status,
  custom: false,
  generation: false,
  ...(shortNames ? { shortNames } : {}),
});

/** The kinds served by default: what the in-cluster agent reads and writes. */
export const DEFAULT_KINDS: readonly KindDef[] = [
  core('namespaces', 'Namespace', false, true, ['ns']),
  core('nodes', 'Node', false, true, ['no']),
  core('pods', 'Pod', true, true, ['po']),
  core('services', 'Service', true, true, ['svc']),
  core('configmaps', 'ConfigMap', true, false, ['cm']),
  core('events', 'Event', true, false, ['ev']),
  core('secrets', 'Secret', true, false),
  { ...core('deployments', 'Deployment', true, true, ['deploy']), group: 'apps', generation: true },
  { ...core('statefulsets', 'StatefulSet', true, true, ['sts']), group: 'apps', generation: true },
  { ...core('jobs', 'Job', true, true), group: 'batch', generation: true },
  { ...core('leases', 'Lease', true, false), group: 'coordination.k8s.io' },
  { ...core('nodeclaims', 'NodeClaim', false, true), group: 'karpenter.sh', custom: true, generation: true },
  {
    ...core('validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false, false),
    group: 'admissionregistration.k8s.io',
    generation: true,
  },
  {
    ...core('customresourcedefinitions', 'CustomResourceDefinition', false, true, ['crd', 'crds']),
    group: 'apiextensions.k8s.io',
    generation: true,
  },
  {
    ...core('workspaces', 'Workspace', true, true, ['wk']),
    group: 'kaito.sh',
    versions: ['v1beta1', 'v1alpha1'],
    custom: true,
    generation: true,
  },
];

/** Kube-aware version priority (GA > beta > alpha, then higher numbers): the preferred version first. */
function versionPriority(version: string): [number, number, number] {
  const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version);
  if (!match) return [0, 0, 0];
  const stability = match[2] === undefined ? 3 : match[2] === 'beta' ? 2 : 1;
  return [stability, Number(match[1]), Number(match[3] ?? 0)];
}

/** A schema string field (names, versions) as text. */
export const text = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? '');

/** The served kind a CustomResourceDefinition (`apiextensions.k8s.io/v1`) describes. */
export function kindFromCrd(crd: JsonMap): KindDef {
  const spec = crd['spec'];
  if (!isMap(spec) || !isMap(spec['names']) || !Array.isArray(spec['versions']))
    throw new Error('not a CustomResourceDefinition');
  const names = spec['names'];
  const versions = spec['versions'].filter((v): v is JsonMap => isMap(v) && v['served'] === true);
  const order = versions
    .map((v) => text(v['name']))
    .sort((a, b) => {
      const [x, y] = [versionPriority(a), versionPriority(b)];
      return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
    });
  const schemas: Record<string, Schema> = {};
  for (const v of versions) {
    const schema = isMap(v['schema']) ? v['schema']['openAPIV3Schema'] : undefined;
    if (isMap(schema)) schemas[text(v['name'])] = schema;
  }
  const shortNames = Array.isArray(names['shortNames']) ? names['shortNames'].map(String) : undefined;
  return {
    group: text(spec['group']),
    versions: order,
    plural: text(names['plural']),
    singular: text(names['singular'] ?? text(names['kind']).toLowerCase()),
    kind: text(names['kind']),
    namespaced: spec['scope'] === 'Namespaced',
    statusSubresource: versions.some((v) => isMap(v['subresources']) && isMap(v['subresources']['status'])),
    custom: true,
    generation: true,
    ...(shortNames !== undefined ? { shortNames } : {}),
    schemas,
  };
}

/** Lookup of served kinds by group, version and plural; CRDs add and replace kinds while serving. */
export class Registry {
  #kinds: KindDef[];

  constructor(kinds: readonly KindDef[] = DEFAULT_KINDS) {
    this.#kinds = [...kinds];
  }

  get kinds(): readonly KindDef[] {
    return this.#kinds;
  }

  /** Serves `kind`, replacing the kind of the same group and plural (a CRD created or updated). */
  upsert(kind: KindDef): void {
    const at = this.#kinds.findIndex((k) => k.group === kind.group && k.plural === kind.plural);
    if (at >= 0) this.#kinds[at] = kind;
    else this.#kinds.push(kind);
  }

  /** Stops serving a kind (its CRD was deleted). */
  remove(group: string, plural: string): void {
    this.#kinds = this.#kinds.filter((k) => k.group !== group || k.plural !== plural);
  }

  find(group: string, version: string, plural: string): KindDef | undefined {
    return this.kinds.find((k) => k.group === group && k.plural === plural && k.versions.includes(version));
  }

  byKind(group: string, kind: string): KindDef | undefined {
    return this.kinds.find((k) => k.group === group && k.kind === kind);
  }

  servesGroupVersion(group: string, version: string): boolean {
    return this.kinds.some((k) => k.group === group && k.versions.includes(version));
  }

  /** `GET /api`. */
  coreVersions(serverAddress: string): Record<string, unknown> {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  /** `GET /apis`: every non-core group with its versions, the first served version preferred. */
  groupList(): Record<string, unknown> {
    const groups = new Map<string, string[]>();
    for (const k of this.kinds) {
      if (!k.group) continue;
      const versions = groups.get(k.group) ?? [];
      for (const v of k.versions) if (!versions.includes(v)) versions.push(v);
      groups.set(k.group, versions);
    }
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0] ?? ''}`, version: versions[0] ?? '' },
      })),
    };
  }

  /** `GET /apis/<group>` (the single-group form of the list above), or undefined when not served. */
  group(name: string): Record<string, unknown> | undefined {
    const list = this.groupList() as { groups: Record<string, unknown>[] };
    const found = list.groups.find((g) => g['name'] === name);
    return found ? { kind: 'APIGroup', apiVersion: 'v1', ...found } : undefined;
  }

  /** `GET /api/v1` or `/apis/<group>/<version>`: an APIResourceList with main and status resources. */
  resourceList(group: string, version: string): Record<string, unknown> {
    const resources: Record<string, unknown>[] = [];
    for (const k of this.kinds) {
      if (k.group !== group || !k.versions.includes(version)) continue;
      resources.push({
        name: k.plural,
        singularName: k.singular,
        namespaced: k.namespaced,
        kind: k.kind,
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        ...(k.shortNames ? { shortNames: k.shortNames } : {}),
      });
      if (k.statusSubresource) {
        resources.push({
          name: `${k.plural}/status`,
          singularName: '',
          namespaced: k.namespaced,
          kind: k.kind,
          verbs: ['get', 'patch', 'update'],
        });
      }
    }
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources,
    };
  }
}

/** `apiVersion` as written in objects: `v1` for core, `<group>/<version>` otherwise. */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** The counter and error name of a kind: `pods`, `workspaces.kaito.sh`. */
export function resourceName(k: KindDef): string {
  return k.group ? `${k.plural}.${k.group}` : k.plural;
}

/**
 * An object as served or written at `version`: storage is shared and conversion only changes apiVersion
 * (Kaito's CRDs use conversion strategy None), then the version's schema, if any, prunes and defaults.
 */
export function viewAs<T extends { apiVersion?: string; kind?: string }>(
  kind: KindDef,
  version: string,
  obj: T,
): T {
  const view = { ...obj, apiVersion: apiVersionOf(kind.group, version), kind: kind.kind };
  const schema = kind.schemas?.[version];
  return schema === undefined ? view : (pruneAndDefault(view as unknown as JsonMap, schema) as unknown as T);
}
