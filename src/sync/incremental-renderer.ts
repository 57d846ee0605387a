/**
 * Renders only what changed. Against the tree it rendered last (and only when the deploy path still
 * holds exactly that tree), a pass re-renders the spec files that changed, next to the files holding
 * other objects (ConfigMaps a Workspace references, re-rendered every time), and keeps every other
 * workspace's directory byte for byte. Whenever that could differ from rendering everything (the
 * catalog changed, a changed file holds more than Workspaces, a referenced object might move into a
 * kept directory, a workspace name moved between files) it renders everything instead. The result is always what a full render
 * gives; the tests compare the two. Source objects are read with api's safe YAML reader (size, alias and
 * depth limits) and their file names are render's.
 */
import { DEFAULT_NAMESPACE, WORKSPACE_KIND, compareStrings, keyOf, readYamlDocuments } from '../api/index.ts';
import type { HydrateOptions, HydrateResult, SourceFile, WorkspaceOutcome } from '../pipeline.ts';
import { inventoryOf, mergeTree, objectFileName, type Tree } from '../render/index.ts';
import type { Renderer } from './renderer.ts';

interface Rendered {
  files: ReadonlyMap<string, string>;
  options: HydrateOptions;
  result: HydrateResult;
}

export interface RenderCounts {
  full: number;
  partial: number;
  /** Passes whose sources had not changed at all. */
  reused: number;
}

export class IncrementalRenderer {
  readonly #render: Renderer;
  #last: Rendered | undefined;
  readonly counts: RenderCounts = { full: 0, partial: 0, reused: 0 };

  constructor(render: Renderer) {
    this.#render = render;
  }

  /** The next renders may build on `result` (it is what the deploy path now holds). */
  accept(files: readonly SourceFile[], options: HydrateOptions, result: HydrateResult): void {
    this.#last = { files: new Map(files.map((f) => [f.path, f.content])), options, result };
  }

  /** Forgets the accepted render (the deploy path was changed by someone else). */
  reset(): void {
    this.#last = undefined;
  }

  readonly render: Renderer = (files, options) => {
    const last = this.#last;
    const previous = options.previous ?? new Map<string, string>();
    const partial =
      last !== undefined && sameSettings(last.options, options) && sameTree(previous, last.result.tree)
        ? this.#partial(last, files, options, previous)
        : undefined;
    if (partial !== undefined) return partial;
    this.counts.full++;
    return this.#render(files, options);
  };

  #partial(
    last: Rendered,
    files: readonly SourceFile[],
    options: HydrateOptions,
    previous: Tree,
  ): HydrateResult | undefined {
    const now = new Map(files.map((f) => [f.path, f.content]));
    const changed = new Set<string>();
    for (const [path, content] of now) if (last.files.get(path) !== content) changed.add(path);
    for (const path of last.files.keys()) if (!now.has(path)) changed.add(path);
    if (changed.size === 0) {
      this.counts.reused++;
      return reused(last.result);
    }
    for (const path of changed) {
      const before = last.files.get(path);
      const after = now.get(path);
      if (
        (before !== undefined && !isWorkspaceOnly(before)) ||
        (after !== undefined && !isWorkspaceOnly(after))
      )
        return undefined;
    }
    const context = files.filter((f) => !isWorkspaceOnly(f.content));
    const slots = objectSlots(context);
    if (slots === undefined) return undefined;
    const unchangedFiles = new Set(
      files.filter((f) => !changed.has(f.path) && isWorkspaceOnly(f.content)).map((f) => f.path),
    );

    const subset = files.filter((f) => changed.has(f.path) || !unchangedFiles.has(f.path));
    const result = this.#render(subset, options);

    const before = inventoryOf(previous).workspaces;
    const keep = before.filter((entry) => entry.source !== undefined && unchangedFiles.has(entry.source));
    const keepKeys = new Set(keep.map(keyOf));
    const fresh = inventoryOf(result.tree).workspaces;
    if (fresh.some((entry) => keepKeys.has(keyOf(entry)))) return undefined; // a name now in two files
    // A referenced object (ConfigMap) lives in the directory of one Workspace that uses it. If it left
    // a re-rendered directory, a kept workspace might be the one to hold it now: render everything.
    const heldAfter = heldSlots(fresh, slots);
    const heldBefore = heldSlots(
      before.filter((entry) => !keepKeys.has(keyOf(entry))),
      slots,
    );
    if ([...heldBefore].some((s) => !heldAfter.has(s))) return undefined;

    const merged = mergeTree(previous, result.tree, { ...options.layout, keep });
    if (merged.conflicts.length > 0) return undefined;

    const lastStatus = new Map(last.result.workspaces.map((ws) => [keyOf(ws), ws]));
    const workspaces: WorkspaceOutcome[] = result.workspaces.filter(
      (ws) => !(ws.status === 'removed' && keepKeys.has(keyOf(ws))),
    );
    for (const entry of keep) {
      const known = lastStatus.get(keyOf(entry));
      workspaces.push({
        namespace: entry.namespace,
        name: entry.name,
        file: entry.source ?? '',
        status: known?.status === 'kept' ? 'kept' : 'unchanged',
      });
    }
    workspaces.sort((a, b) => compareStrings(keyOf(a), keyOf(b)));
    this.counts.partial++;
    return {
      tree: merged.tree,
      workspaces,
      plans: result.plans,
      errors: [
        ...last.result.errors.filter((e) => e.file !== undefined && unchangedFiles.has(e.file)),
        ...result.errors,
      ],
      warnings: last.result.warnings,
    };
  }
}

/** The last result, as a render of the same sources over it reports it. */
function reused(result: HydrateResult): HydrateResult {
  return {
    ...result,
    workspaces: result.workspaces
      .filter((ws) => ws.status !== 'removed')
      .map((ws) => (ws.status === 'rendered' ? { ...ws, status: 'unchanged' as const } : ws)),
    plans: [],
  };
}

/**
 * True when every document of the file is a Workspace, judged from its top-level `kind:` lines, so a
 * file that only might hold something else (flow style, other kinds) counts as context.
 */
export function isWorkspaceOnly(text: string): boolean {
  let workspaces = 0;
  for (const doc of text.split(/^---[ \t]*$/m)) {
    if (doc.replace(/^[ \t]*#.*$/gm, '').trim() === '') continue;
    const kinds = [...doc.matchAll(/^kind:[ \t]*(.*?)[ \t]*$/gm)].map((m) => m[1]);
    if (kinds.length !== 1 || !/^(["']?)Workspace\1$/.test(kinds[0] ?? '')) return false;
    workspaces++;
  }
  return workspaces > 0;
}

/**
 * `namespace/<file name>` (render's {@link objectFileName}) of every non-Workspace object in the context
 * files; undefined if one does not read cleanly or could not be a file of the tree.
 */
function objectSlots(files: readonly SourceFile[]): Set<string> | undefined {
  const slots = new Set<string>();
  for (const file of files) {
    const read = readYamlDocuments(file.content);
    if (!read.ok) return undefined;
    for (const doc of read.documents) {
      if (doc.errors.length > 0) return undefined;
      const object = doc.value;
      if (typeof object !== 'object' || object === null) continue;
      const { kind, metadata } = object as {
        kind?: unknown;
        metadata?: { name?: unknown; namespace?: unknown };
      };
      if (typeof kind !== 'string' || kind === WORKSPACE_KIND || typeof metadata?.name !== 'string') continue;
      const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : DEFAULT_NAMESPACE;
      try {
        const name = objectFileName({ apiVersion: '', kind, metadata: { name: metadata.name } });
        slots.add(`${namespace}/${name}`);
      } catch {
        return undefined;
      }
    }
  }
  return slots;
}

function heldSlots(
  entries: readonly { namespace: string; files: readonly string[] }[],
  slots: ReadonlySet<string>,
) {
  const held = new Set<string>();
  for (const entry of entries) {
    for (const path of entry.files) {
      const s = slot(entry.namespace, path);
      if (slots.has(s)) held.add(s);
    }
  }
  return held;
}

function slot(namespace: string, path: string): string {
  return `${namespace}/${path.slice(path.lastIndexOf('/') + 1)}`;
}

function sameSettings(a: HydrateOptions, b: HydrateOptions): boolean {
  return (
    a.catalog === b.catalog &&
    a.cloud === b.cloud &&
    JSON.stringify(a.images) === JSON.stringify(b.images) &&
    JSON.stringify(a.layout) === JSON.stringify(b.layout) &&
    JSON.stringify(a.repository) === JSON.stringify(b.repository)
  );
}

function sameTree(a: Tree, b: Tree): boolean {
  if (a.size !== b.size) return false;
  for (const [path, text] of a) if (b.get(path) !== text) return false;
  return true;
}
