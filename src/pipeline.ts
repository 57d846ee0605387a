/**
 * The pipeline from source files to a Kustomize tree: load and validate (api), plan (catalog),
 * synthesize (synth), render and merge with the previous tree (render). Pure: the caller reads the
 * source files, the catalog and the previous tree, and writes the result (`synth` to disk, `sync` to
 * git). A spec that fails keeps its previous output, so a typo never takes a running model down.
 */
import {
  vllmArgs,
  loadSources,
  type ConfigMapObject,
  type LoadFailure,
  type SourceFile,
  type SourceObject,
  compareStrings,
  keyOf,
  namespacedKey,
} from './api/index.ts';
import { plan, type Catalog, type Cloud, type WorkspacePlan } from './catalog/index.ts';
import { SpecError, type Problem } from './errors.ts';
import { inventoryOf, mergeTree, renderTree, type Tree, type WorkspaceRef } from './render/index.ts';
import { synthesizeAll, type HelperImages, type WorkspaceManifests } from './synth/index.ts';

export type { SourceFile } from './api/index.ts';

export interface HydrateOptions {
  catalog: Catalog;
  /** The tree currently at the output (empty when rendering for the first time). @default empty */
  previous?: Tree;
  /** Extra annotations on each Workspace object (sync stamps source repository, path and commit). */
  annotate?: (workspace: { namespace: string; name: string; file: string }) => Record<string, string>;
  /** Cloud whose SKUs a Workspace without `instanceType` is sized against. @default "azure" */
  cloud?: Cloud;
  /** Images of helper containers (mirrors for air-gapped clusters). */
  images?: Partial<HelperImages>;
}

/**
 * What happened to one Workspace: `rendered` (its files changed or are new), `unchanged`, `kept` (its
 * spec failed; the previous files stay) or `removed` (its spec is gone, and so are its files).
 */
export type WorkspaceStatus = 'rendered' | 'unchanged' | 'kept' | 'removed';

export interface WorkspaceOutcome {
  namespace: string;
  name: string;
  /** Source file of the spec (for `removed`: the file it last came from, when known). */
  file: string;
  status: WorkspaceStatus;
}

export interface HydrateResult {
  /** The full tree to write: valid workspaces rendered, failed ones as they were. */
  tree: Tree;
  /** Every workspace of the source and of the previous tree, sorted by namespace/name. */
  workspaces: WorkspaceOutcome[];
  /** Plans of the workspaces that rendered, for `plan` output and PR comments. */
  plans: WorkspacePlan[];
  /** One SpecError per failed document, naming its file; the exit code is 1 when there are any. */
  errors: SpecError[];
  /** Things worth saying that fail nothing (an object in the source that no Workspace references). */
  warnings: string[];
}

export function hydrate(files: readonly SourceFile[], options: HydrateOptions): HydrateResult {
  const previous = options.previous ?? new Map<string, string>();
  const loaded = loadSources(files);
  const errors = loaded.failures.map(toSpecError);
  const keep = keptAfterLoadFailures(loaded.failures, previous);

  const configMaps = loaded.objects.filter(isConfigMap);
  const plans: WorkspacePlan[] = [];
  for (const workspace of loaded.workspaces) {
    try {
      plans.push(
        plan(workspace, options.catalog, {
          cloud: options.cloud ?? 'azure',
          vllmConfig: vllmArgs(workspace, configMaps),
        }),
      );
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      errors.push(inDocument(error, workspace.source.index));
      keep.set(keyOf(workspace), workspace.source.file);
    }
  }

  const synthesized = synthesizeAll(plans, loaded.objects, { images: options.images });
  for (const failure of synthesized.failures) {
    errors.push(inDocument(failure.error, failure.source.index));
    keep.set(keyOf(failure), failure.source.file);
  }
  const annotate = options.annotate;
  const rendered = annotate
    ? synthesized.workspaces.map((w) => stamped(w, annotate))
    : synthesized.workspaces;
  const renderedIds = new Set(rendered.map(keyOf));
  const next = renderTree(rendered);
  const keptRefs: WorkspaceRef[] = [...keep.keys()].map(parseKey);
  const merged = mergeTree(previous, next, { keep: keptRefs });
  for (const conflict of merged.conflicts) {
    const file = rendered.find((w) => keyOf(w) === keyOf(conflict.workspace))?.source ?? '';
    errors.push(
      new SpecError(
        [
          {
            path: '',
            message: `${conflict.path} is not written: Workspace "${keyOf(conflict.keptBy)}" keeps its last good output, which holds the same object; fix that Workspace's spec`,
          },
        ],
        { file },
      ),
    );
  }

  return {
    tree: merged.tree,
    workspaces: outcomes(previous, merged.tree, rendered, keep),
    plans: plans.filter((p) => renderedIds.has(keyOf(p.workspace))),
    errors,
    warnings: synthesized.unreferenced.map(unreferencedWarning),
  };
}

/** The Workspace object of `manifests` with the caller's annotations added (they win over the spec's). */
function stamped(
  manifests: WorkspaceManifests,
  annotate: NonNullable<HydrateOptions['annotate']>,
): WorkspaceManifests {
  const extra = annotate({
    namespace: manifests.namespace,
    name: manifests.name,
    file: manifests.source ?? '',
  });
  return {
    ...manifests,
    objects: manifests.objects.map((object) =>
      object.kind === 'Workspace'
        ? {
            ...object,
            metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, ...extra } },
          }
        : object,
    ),
  };
}

/**
 * Workspaces whose previous output stays: those named by a failed document, and, when a whole file
 * failed before its documents could be read, every workspace that file produced last time.
 */
function keptAfterLoadFailures(failures: readonly LoadFailure[], previous: Tree): Map<string, string> {
  const keep = new Map<string, string>();
  const previousEntries = inventoryOf(previous).workspaces;
  for (const failure of failures) {
    if (failure.namespace !== undefined && failure.name !== undefined) {
      keep.set(namespacedKey(failure.namespace, failure.name), failure.file);
    } else if (failure.index === undefined || failure.kind === undefined) {
      for (const entry of previousEntries) {
        if (entry.source === failure.file) keep.set(keyOf(entry), failure.file);
      }
    }
  }
  return keep;
}

function outcomes(
  previous: Tree,
  tree: Tree,
  rendered: readonly { namespace: string; name: string; source?: string }[],
  keep: ReadonlyMap<string, string>,
): WorkspaceOutcome[] {
  const before = new Map(inventoryOf(previous).workspaces.map((entry) => [keyOf(entry), entry]));
  const after = new Map(inventoryOf(tree).workspaces.map((entry) => [keyOf(entry), entry]));
  const result: WorkspaceOutcome[] = [];
  for (const workspace of rendered) {
    const id = keyOf(workspace);
    if (keep.has(id)) continue;
    const old = before.get(id);
    const now = after.get(id);
    const same =
      old !== undefined &&
      now !== undefined &&
      old.files.length === now.files.length &&
      now.files.every((path, i) => old.files[i] === path && previous.get(path) === tree.get(path));
    result.push({
      namespace: workspace.namespace,
      name: workspace.name,
      file: workspace.source ?? '',
      status: same ? 'unchanged' : 'rendered',
    });
  }
  for (const [id, file] of keep) {
    const { namespace, name } = parseKey(id);
    result.push({ namespace, name, file, status: 'kept' });
  }
  const renderedIds = new Set(rendered.map(keyOf));
  for (const [id, entry] of before) {
    if (!keep.has(id) && !renderedIds.has(id)) {
      result.push({
        namespace: entry.namespace,
        name: entry.name,
        file: entry.source ?? '',
        status: 'removed',
      });
    }
  }
  return result.sort((a, b) => compareStrings(keyOf(a), keyOf(b)));
}

/**
 * A load failure as a SpecError. In a multi-document file the path alone does not say which document
 * is wrong, so problems of non-Workspace documents (and document-level ones) name it.
 */
function toSpecError(failure: LoadFailure): SpecError {
  const { index, kind } = failure;
  const where = index === undefined ? undefined : `${kind ?? 'document'} in document ${index + 1}`;
  const problems: Problem[] = failure.problems.map((p) => ({
    path: p.path,
    message:
      where !== undefined && (p.path === '' || kind !== 'Workspace') ? `${where}: ${p.message}` : p.message,
  }));
  return new SpecError(problems, { file: failure.file, document: index });
}

/** `error` with the document it came from, so a reader (the PR comment) can point at its lines. */
function inDocument(error: SpecError, document: number): SpecError {
  if (error.document !== undefined) return error;
  return new SpecError(error.problems, { file: error.file, document, cause: error.cause });
}

function unreferencedWarning(object: SourceObject): string {
  const namespace = object.metadata.namespace ?? 'default';
  return `${object.kind} "${namespace}/${object.metadata.name}" is not referenced by any Workspace, so it is not rendered; reference it from a Workspace or keep it elsewhere`;
}

function isConfigMap(object: SourceObject): object is ConfigMapObject {
  return object.apiVersion === 'v1' && object.kind === 'ConfigMap';
}

function parseKey(id: string): WorkspaceRef {
  const [namespace = '', name = ''] = id.split('/');
  return { namespace, name };
}
