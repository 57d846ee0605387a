/**
 * The pipeline from source files to a Kustomize tree: load and validate (api), plan (catalog),
 * synthesize (synth), render and merge with the previous tree (render). Pure: the caller reads the
 * source files, the catalog and the previous tree, and writes the result (`synth` to disk, `sync` to
 * git).
 *
 * Removal only when the source says so: a workspace of the previous tree is removed only when the file
 * that produced it (the inventory's `source`) is gone, or that file was accepted whole and no longer
 * defines it. Any problem in a file (syntax, metadata, kind, apiVersion, an empty or binary file, a
 * refused spec) keeps everything that file produced last time, byte for byte, even what another file
 * now defines; so does a problem in a document that still names the workspace. New workspaces of a
 * file with problems still render. A source that would leave no workspace at all removes nothing
 * unless `allowEmpty` is set.
 */
import {
  configFacts,
  loadSources,
  type ConfigMapObject,
  type RepositoryFiles,
  type SourceFile,
  type SourceObject,
  type Workspace,
  compareStrings,
  keyOf,
  splitNamespacedKey,
} from './api/index.ts';
import { plan, type Catalog, type Cloud, type PlanContext, type WorkspacePlan } from './catalog/index.ts';
import { SpecError, type Problem } from './errors.ts';
import {
  Failures,
  emptySourceError,
  heldElsewhere,
  unreferencedWarnings,
  type LateFailure,
} from './pipeline-reports.ts';
import { readRepository } from './pipeline-settings.ts';
import { INVENTORY, inventoryOf, mergeTree, renderTree, type Tree, type TreeLayout } from './render/index.ts';
import {
  synthesizeAll,
  workspaceProblems,
  type HelperImages,
  type SynthesisResult,
  type WorkspaceManifests,
} from './synth/index.ts';

export type { SourceFile } from './api/index.ts';
export type { ErrorReport } from './pipeline-reports.ts';
export { errorReport } from './pipeline-reports.ts';

export interface HydrateOptions {
  catalog: Catalog;
  /**
   * The repository files beside the specs (`.kaito-gitops/`), read at the same revision: the Hugging Face
   * cache file's models are planned with `catalog`, and the settings file's (pipeline-settings.ts). A
   * problem in one keeps the whole previous tree.
   * @default none: `catalog` as it is, default settings
   */
  repository?: RepositoryFiles;
  /** The tree currently at the output (empty when rendering for the first time). @default empty */
  previous?: Tree;
  /** Extra annotations on each Workspace object (sync stamps source repository, path and commit). */
  annotate?: (workspace: { namespace: string; name: string; file: string }) => Record<string, string>;
  /** Cloud whose SKUs a Workspace without `instanceType` is sized against. @default "azure" */
  cloud?: Cloud;
  /** Images of helper containers (mirrors for air-gapped clusters). */
  images?: Partial<HelperImages>;
  /**
   * Let a source without any workspace remove every workspace of the previous tree (Argo CD's
   * `allowEmpty`). Without it such a run keeps the previous tree and fails. @default false
   */
  allowEmpty?: boolean;
  /** How the empty-source refusal names the source (`--workspaces` as typed, the repository path). @default "the source" */
  sourceName?: string;
  /** Shards and Flux units (render's TreeLayout); a workspace keeps the shard `previous` has it in. */
  layout?: TreeLayout;
  /** Told which step runs and how far it is, for a progress line (the only thing hydrate calls out to). */
  onProgress?: (step: HydrateStep, done: number, total: number) => void;
}

export type HydrateStep = 'loading' | 'planning' | 'synthesizing';

/**
 * What happened to one Workspace: `rendered` (its files changed or are new), `unchanged`, `kept` (its
 * spec or its file failed; the previous files stay), `refused` (its spec failed and there were no
 * previous files to keep) or `removed` (its spec is gone, and so are its files).
 */
export type WorkspaceStatus = 'rendered' | 'unchanged' | 'kept' | 'refused' | 'removed';

export interface WorkspaceOutcome {
  namespace: string;
  name: string;
  /** Source file of the spec as messages name it (for `removed`: the file it last came from, when known). */
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
  /** One SpecError per failed document (or file), naming it; the exit code is 1 when there are any. */
  errors: SpecError[];
  /** Things worth saying that fail nothing (an object in the source that no Workspace references). */
  warnings: string[];
}

export function hydrate(files: readonly SourceFile[], options: HydrateOptions): HydrateResult {
  const previous = options.previous ?? new Map<string, string>();
  const before = inventoryOf(previous).workspaces;
  const byPath = new Map(files.map((f) => [f.path, f]));
  const display = (path: string) => byPath.get(path)?.display ?? path;
  const repository = readRepository(options.catalog, options.repository);
  if (!repository.ok) {
    // Nothing of this source is used; a first run writes an empty tree (with its inventory).
    return keptWhole(previous.has(INVENTORY) ? previous : renderTree([]), display, repository.errors, []);
  }
  const { catalog, nodes } = repository.settings;
  const progress = options.onProgress ?? (() => undefined);
  progress('loading', 0, files.length);
  const loaded = loadSources(files);
  const configMaps = loaded.objects.filter(isConfigMap);
  const context = (workspace: Workspace): PlanContext => ({
    cloud: options.cloud ?? 'azure',
    nodes,
    ...configFacts(workspace, configMaps),
  });

  const failed = new Failures(byPath);
  const refusedWorkspaces: Workspace[] = [];
  for (const failure of loaded.failures) {
    const more = failure.workspace === undefined ? [] : laterProblems(failure.workspace, catalog, context);
    if (failure.workspace !== undefined) refusedWorkspaces.push(failure.workspace);
    failed.add(failure.file, failure.index, [...failure.problems, ...more], failure);
  }

  const plans: WorkspacePlan[] = [];
  for (const [index, workspace] of loaded.workspaces.entries()) {
    progress('planning', index, loaded.workspaces.length);
    try {
      plans.push(plan(workspace, catalog, context(workspace)));
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      refusedWorkspaces.push(workspace);
      const problems = [...error.problems, ...workspaceProblems(workspace)];
      failed.add(workspace.source.file, workspace.source.index, problems, workspace);
    }
  }

  // A file with any problem keeps everything it produced last time, byte for byte, even a workspace
  // that another file now defines validly. Synthesis can fail more files, which holds more: settle.
  const ownerOf = new Map(before.map((entry) => [keyOf(entry), entry.source]));
  const heldBy = (files: ReadonlySet<string>) =>
    before.filter((entry) => entry.source !== undefined && files.has(entry.source)).map(keyOf);
  let held = new Set(heldBy(failed.files));
  // Workspaces whose output the tree holds claim their objects' names before new ones.
  const running = new Set(before.map(keyOf));
  const fileOf = (object: SourceObject) => {
    const file = loaded.objectSources.get(object)?.file;
    return file === undefined ? undefined : display(file);
  };
  let synthesized: SynthesisResult;
  let late: LateFailure[];
  progress('synthesizing', 0, plans.length);
  for (;;) {
    synthesized = synthesizeAll(
      plans.filter((p) => !held.has(keyOf(p.workspace))),
      loaded.objects,
      { images: options.images, running, fileOf },
    );
    late = [
      ...synthesized.failures.map((f) => ({ source: f.source, problems: f.error.problems, who: f })),
      ...plans
        .filter((p) => held.has(keyOf(p.workspace)))
        .flatMap((p) => heldElsewhere(p.workspace, ownerOf.get(keyOf(p.workspace)) ?? '', display)),
    ];
    const files = new Set([...failed.files, ...late.map((l) => l.source.file)]);
    const next = new Set([...held, ...heldBy(files)]);
    if (next.size === held.size) break;
    held = next;
  }
  for (const failure of late) {
    const workspace = plans.find((p) => keyOf(p.workspace) === keyOf(failure.who))?.workspace;
    if (workspace !== undefined && !held.has(keyOf(workspace))) refusedWorkspaces.push(workspace);
    failed.add(failure.source.file, failure.source.index, failure.problems, failure.who);
  }
  const annotate = options.annotate;
  const rendered = annotate
    ? synthesized.workspaces.map((w) => stamped(w, annotate))
    : synthesized.workspaces;
  const renderedIds = new Set(rendered.map(keyOf));

  // What stays from the previous tree: everything a failed file produced, and workspaces a failed
  // document still names (wherever their output came from).
  const keep = new Map<string, string>();
  for (const entry of before) {
    const id = keyOf(entry);
    const namedIn = failed.named.get(id);
    if (held.has(id)) keep.set(id, entry.source ?? '');
    else if (!renderedIds.has(id) && namedIn !== undefined) keep.set(id, namedIn);
  }
  const known = new Set(before.map(keyOf));
  const refused = new Map([...failed.named].filter(([id]) => !known.has(id) && !renderedIds.has(id)));

  const errors = failed.errors();
  const warnings = unreferencedWarnings(synthesized.unreferenced, refusedWorkspaces, loaded.failures);
  const next = renderTree(rendered);
  const merged = mergeTree(previous, next, {
    ...options.layout,
    keep: [...keep.keys()].map(splitNamespacedKey),
  });

  if (!options.allowEmpty && before.length > 0 && inventoryOf(merged.tree).workspaces.length === 0) {
    return keptWhole(previous, display, [...errors, emptySourceError(before, options.sourceName)], warnings);
  }

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
        { file: display(file), ...conflict.workspace },
      ),
    );
  }

  return {
    tree: merged.tree,
    workspaces: outcomes({ previous, tree: merged.tree, rendered, keep, refused, display }),
    plans: plans.filter((p) => renderedIds.has(keyOf(p.workspace))),
    errors,
    warnings,
  };
}

/** The previous tree as it was, every workspace `kept`: nothing of this source is used. */
function keptWhole(
  previous: Tree,
  display: (path: string) => string,
  errors: SpecError[],
  warnings: string[],
): HydrateResult {
  return {
    tree: previous,
    workspaces: inventoryOf(previous).workspaces.map((entry) => ({
      namespace: entry.namespace,
      name: entry.name,
      file: display(entry.source ?? ''),
      status: 'kept' as const,
    })),
    plans: [],
    errors,
    warnings,
  };
}

/**
 * Problems a Workspace refused by the loader would also have further on (an unknown preset next to a
 * duplicate adapter), so that one run reports everything wrong with a spec.
 */
function laterProblems(
  workspace: Workspace,
  catalog: Catalog,
  context: (workspace: Workspace) => PlanContext,
): Problem[] {
  const problems = [...workspaceProblems(workspace)];
  try {
    plan(workspace, catalog, context(workspace));
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    problems.unshift(...error.problems);
  }
  return problems;
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

function outcomes(run: {
  previous: Tree;
  tree: Tree;
  rendered: readonly WorkspaceManifests[];
  keep: ReadonlyMap<string, string>;
  refused: ReadonlyMap<string, string>;
  display: (path: string) => string;
}): WorkspaceOutcome[] {
  const { previous, tree, rendered, keep, refused, display } = run;
  const before = new Map(inventoryOf(previous).workspaces.map((entry) => [keyOf(entry), entry]));
  const after = new Map(inventoryOf(tree).workspaces.map((entry) => [keyOf(entry), entry]));
  const result: WorkspaceOutcome[] = [];
  for (const workspace of rendered) {
    const id = keyOf(workspace);
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
      file: display(workspace.source ?? ''),
      status: same ? 'unchanged' : 'rendered',
    });
  }
  for (const [status, map] of [
    ['kept', keep],
    ['refused', refused],
  ] as const) {
    for (const [id, file] of map) result.push({ ...splitNamespacedKey(id), file: display(file), status });
  }
  const renderedIds = new Set(rendered.map(keyOf));
  for (const [id, entry] of before) {
    if (!keep.has(id) && !renderedIds.has(id)) {
      result.push({
        namespace: entry.namespace,
        name: entry.name,
        file: display(entry.source ?? ''),
        status: 'removed',
      });
    }
  }
  return result.sort((a, b) => compareStrings(keyOf(a), keyOf(b)));
}

function isConfigMap(object: SourceObject): object is ConfigMapObject {
  return object.apiVersion === 'v1' && object.kind === 'ConfigMap';
}
