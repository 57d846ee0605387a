/**
 * `kaito-gitops import`, the pure half: Workspaces and the ConfigMaps they reference, as a cluster stores
 * them, → clean spec files for the source repository. What the cluster or a tool added is dropped: status,
 * server-set metadata (uid, resourceVersion, generation, managedFields, ...), finalizers and owner
 * references, annotations written by Kaito's controller (`workspace.kaito.io/*`), kubectl, Argo CD, Flux or
 * kaito-gitops' own sync and render, and values equal to a default of the schema (the CRD default the
 * server filled in, which loading the file applies again). Everything else is kept as stored, so the file
 * renders the workload that runs. Files: `<namespace>/workspace-<name>.yaml` and
 * `<namespace>/configmap-<name>.yaml`, byte-stable (fixed top-level order, other keys sorted).
 */
import { stringify } from 'yaml';
import {
  keepEditedTuningDefaults,
  type KeptTuningDefaults,
  type ShippedTuningDefaults,
} from './import-tuning.ts';
import type { SchemaNode } from './schema-node.ts';
import { inferenceSchema, resourceSchema, tuningSchema } from './schema.ts';

/** An object as the API server returns it. */
export interface StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ImportedFile {
  /** Relative to the output directory, `/`-separated. */
  path: string;
  content: string;
}

/** Something the spec needs that stays in the cluster (a Secret) or is not there (a ConfigMap). */
export interface ImportReference {
  /** `namespace/name` of the Workspace. */
  workspace: string;
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** Where the Workspace names it, e.g. `inference.config`. */
  field: string;
}

/** Annotation keys (or prefixes, ending in `/`) that tools write: never part of a spec. */
const TOOL_ANNOTATIONS: readonly string[] = [
  'workspace.kaito.io/', // Kaito's controller: hash and revision of the spec it applied
  'kubectl.kubernetes.io/last-applied-configuration',
  'argocd.argoproj.io/tracking-id',
  'gitops.kaito.sh/', // kaito-gitops sync: source repository, path and commit
  'meta.helm.sh/',
];

/** Labels that tools write (kaito-gitops' render adds its own back). */
const TOOL_LABELS: readonly string[] = [
  'kustomize.toolkit.fluxcd.io/',
  'app.kubernetes.io/managed-by',
  'kaito.sh/workspace',
];

const tooled = (key: string, list: readonly string[]): boolean =>
  list.some((entry) => (entry.endsWith('/') ? key.startsWith(entry) : key === entry));

function cleanMap(
  map: Record<string, string> | undefined,
  drop: readonly string[],
): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  const kept = Object.entries(map).filter(([key]) => !tooled(key, drop));
  return kept.length === 0 ? undefined : Object.fromEntries(kept.sort(([a], [b]) => (a < b ? -1 : 1)));
}

function cleanMetadata(object: StoredObject): Record<string, unknown> {
  const meta = object.metadata ?? {};
  const labels = cleanMap(meta.labels, TOOL_LABELS);
  const annotations = cleanMap(meta.annotations, TOOL_ANNOTATIONS);
  return {
    name: meta.name,
    namespace: meta.namespace,
    ...(labels !== undefined ? { labels } : {}),
    ...(annotations !== undefined ? { annotations } : {}),
  };
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value` without what equals its schema default; undefined when nothing is left of an object. */
function withoutDefaults(value: unknown, node: SchemaNode): unknown {
  if ((node.kind === 'integer' || node.kind === 'string') && node.default !== undefined) {
    return value === node.default ? undefined : value;
  }
  if (node.kind === 'array' && Array.isArray(value)) {
    return value.map((item) => withoutDefaults(item, node.items) ?? {});
  }
  if (node.kind === 'object' && isMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const child = node.properties[key];
      const kept = child === undefined ? item : withoutDefaults(item, child);
      if (kept !== undefined) out[key] = kept;
    }
    return out;
  }
  return value;
}

/** Deep copy with every map's keys sorted (the API server's unstructured order), for stable bytes. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (!isMap(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sorted(value[key])]),
  );
}

const SECTIONS = [
  ['resource', resourceSchema],
  ['inference', inferenceSchema],
  ['tuning', tuningSchema],
] as const;

/** The spec a stored Workspace was made from; `tuningConfig` names the ConfigMap of its tuning parameters. */
export function cleanWorkspace(stored: StoredObject, tuningConfig?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    apiVersion: stored.apiVersion,
    kind: 'Workspace',
    metadata: cleanMetadata(stored),
  };
  for (const [key, schema] of SECTIONS) {
    if (stored[key] === undefined || stored[key] === null) continue;
    const section = withoutDefaults(stored[key], schema) ?? {};
    if (key === 'tuning' && tuningConfig !== undefined && isMap(section)) section['config'] = tuningConfig;
    out[key] = sorted(section);
  }
  return out;
}

/** The ConfigMap as it would be written by hand. */
export function cleanConfigMap(stored: StoredObject): Record<string, unknown> {
  const out: Record<string, unknown> = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: cleanMetadata(stored),
  };
  for (const key of ['immutable', 'data', 'binaryData']) {
    if (stored[key] !== undefined && stored[key] !== null) out[key] = sorted(stored[key]);
  }
  return out;
}

/** The ConfigMaps and Secrets a Workspace names, with the field that names each. */
export function workspaceReferences(workspace: StoredObject): Omit<ImportReference, 'workspace'>[] {
  const refs: Omit<ImportReference, 'workspace'>[] = [];
  const at = (path: string): unknown =>
    path.split('.').reduce<unknown>((v, key) => (isMap(v) ? v[key] : undefined), workspace);
  const add = (kind: ImportReference['kind'], field: string, name: unknown): void => {
    if (typeof name === 'string' && name !== '') refs.push({ kind, name, field });
  };
  const addAll = (field: string, names: unknown): void => {
    if (Array.isArray(names)) names.forEach((name, i) => add('Secret', `${field}[${i}]`, name));
  };
  add('ConfigMap', 'inference.config', at('inference.config'));
  add('ConfigMap', 'tuning.config', at('tuning.config'));
  add(
    'Secret',
    'inference.preset.presetOptions.modelAccessSecret',
    at('inference.preset.presetOptions.modelAccessSecret'),
  );
  addAll(
    'inference.preset.presetOptions.imagePullSecrets',
    at('inference.preset.presetOptions.imagePullSecrets'),
  );
  const adapters = at('inference.adapters');
  if (Array.isArray(adapters)) {
    adapters.forEach((adapter, i) => {
      const source = isMap(adapter) ? adapter['source'] : undefined;
      addAll(
        `inference.adapters[${i}].source.imagePullSecrets`,
        isMap(source) ? source['imagePullSecrets'] : undefined,
      );
    });
  }
  addAll('tuning.input.imagePullSecrets', at('tuning.input.imagePullSecrets'));
  add('Secret', 'tuning.output.imagePushSecret', at('tuning.output.imagePushSecret'));
  return refs;
}

const HEADER = '# Imported from the cluster by `kaito-gitops import`.\n';

function yamlFile(object: Record<string, unknown>, note = ''): string {
  return HEADER + note + stringify(object, { lineWidth: 0 });
}

export interface ImportResult {
  files: ImportedFile[];
  /** Secrets the Workspaces name (they stay in the cluster) and ConfigMaps that were not found. */
  references: ImportReference[];
  /** Edited default tuning parameters written as a Workspace's own `tuning.config`. */
  tuningDefaults: KeptTuningDefaults[];
}

export interface ImportOptions {
  /**
   * Every ConfigMap of the namespaces of tuning Workspaces without `tuning.config`, as the cluster holds
   * them: Kaito's templates there, and the names already taken. @default none
   */
  namespaceConfigMaps?: readonly StoredObject[];
  /** The defaults kaito-gitops renders without `tuning.config`, to compare the templates with. @default none */
  tuningDefaults?: readonly ShippedTuningDefaults[];
}

/**
 * The files for `workspaces` and the `configMaps` read for them (a ConfigMap no Workspace names is not
 * written), plus the edited default tuning parameters they ran with (see import-tuning.ts). Sorted by path.
 */
export function importFiles(
  workspaces: readonly StoredObject[],
  configMaps: readonly StoredObject[],
  options: ImportOptions = {},
): ImportResult {
  const files = new Map<string, string>();
  const references: ImportReference[] = [];
  const key = (o: StoredObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  const found = new Map(configMaps.map((c) => [key(c), c]));
  const written = (namespace: string, name: string) => `${namespace}/configmap-${name}.yaml`;
  const taken = new Set<string>();
  for (const workspace of workspaces) {
    const namespace = workspace.metadata?.namespace ?? '';
    for (const ref of workspaceReferences(workspace)) {
      const configMap = ref.kind === 'ConfigMap' ? found.get(`${namespace}/${ref.name}`) : undefined;
      if (configMap !== undefined) {
        files.set(written(namespace, ref.name), yamlFile(cleanConfigMap(configMap)));
        taken.add(`${namespace}/${ref.name}`);
      } else references.push({ workspace: key(workspace), ...ref });
    }
  }
  const kept = keepEditedTuningDefaults(
    workspaces,
    options.namespaceConfigMaps ?? [],
    options.tuningDefaults ?? [],
    taken,
  );
  for (const workspace of workspaces) {
    const namespace = workspace.metadata?.namespace ?? '';
    const own = kept.get(workspace);
    files.set(
      `${namespace}/workspace-${workspace.metadata?.name ?? ''}.yaml`,
      yamlFile(cleanWorkspace(workspace, own?.kept.configMap)),
    );
    if (own !== undefined) {
      files.set(
        written(namespace, own.kept.configMap),
        yamlFile(cleanConfigMap(own.configMap), keptHeader(own.kept)),
      );
    }
  }
  return {
    files: [...files]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, content]) => ({ path, content })),
    references,
    tuningDefaults: [...kept.values()].map((k) => k.kept),
  };
}

function keptHeader(kept: KeptTuningDefaults): string {
  return `# ${kept.workspace} ran with its namespace's ${kept.template}, edited in the cluster: its tuning.config now.\n`;
}
