/**
 * How the pipeline reports what it refused: one SpecError per failed document (located in its file,
 * naming its Workspace), the report results carry (`--output json`, sync results, PR comments), the
 * refusal of an empty source, and the warnings for source objects that render nowhere.
 */
import {
  locateProblems,
  type LoadFailure,
  type SourceFile,
  type SourceObject,
  type Workspace,
  keyOf,
  namespacedKey,
} from './api/index.ts';
import { SpecError, type Problem, type SpecLocation } from './errors.ts';
import type { InventoryEntry } from './render/index.ts';
import { references } from './synth/index.ts';

/** A refused spec as results show it (`--output json`, sync results); unknown fields are left out. */
export interface ErrorReport {
  /** The file as messages name it. */
  file: string;
  /** 1-based document of a multi-document file. */
  document?: number;
  kind?: string;
  namespace?: string;
  name?: string;
  problems: { path: string; message: string; line?: number; column?: number }[];
}

export function errorReport(error: SpecError): ErrorReport {
  const { document, kind, namespace, name } = error.location;
  return {
    file: error.file ?? '',
    ...(document === undefined ? {} : { document: document + 1 }),
    ...(kind === undefined ? {} : { kind }),
    ...(name === undefined ? {} : { namespace: namespace ?? 'default', name }),
    problems: error.problems.map(({ path, message, line, column }) => ({
      path,
      message,
      ...(line === undefined ? {} : { line, column }),
    })),
  };
}

/** A failure found after loading: a spec synthesis refused, or one held back by its output's owner. */
export interface LateFailure {
  source: { file: string; index: number };
  problems: readonly Problem[];
  who: { namespace: string; name: string };
}

/**
 * A valid spec whose workspace's running output came from another file, which has problems now: that
 * output is kept as it was, so this spec is not rendered yet, and says why.
 */
export function heldElsewhere(
  workspace: Workspace,
  owner: string,
  display: (path: string) => string,
): LateFailure[] {
  if (owner === workspace.source.file) return [];
  return [
    {
      source: workspace.source,
      who: workspace,
      problems: [
        {
          path: 'metadata.name',
          message: `not rendered: the running output of this Workspace comes from ${display(owner)}, which has problems, and stays as it was until that file loads cleanly (fix it, or remove the Workspace from it)`,
        },
      ],
    },
  ];
}

interface FailedDocument {
  file: string;
  index?: number;
  kind?: string;
  namespace?: string;
  name?: string;
  problems: Problem[];
}

/**
 * Failed documents and files, collected across the stages: which files failed, which workspaces a
 * failure names, and one SpecError per document with its problems located in the source.
 */
export class Failures {
  readonly files = new Set<string>();
  /** `namespace/name` → the file whose failed document names it. */
  readonly named = new Map<string, string>();
  readonly #byPath: ReadonlyMap<string, SourceFile>;
  readonly #documents = new Map<string, FailedDocument>();

  constructor(byPath: ReadonlyMap<string, SourceFile>) {
    this.#byPath = byPath;
  }

  /** `who` names the document: a Workspace (namespace and name), or the kind of another object. */
  add(
    file: string,
    index: number | undefined,
    problems: readonly Problem[],
    who: { kind?: string; namespace?: string; name?: string },
  ): void {
    this.files.add(file);
    const id = JSON.stringify([file, index ?? -1]);
    const document: FailedDocument = this.#documents.get(id) ?? { file, problems: [] };
    if (index !== undefined) document.index = index;
    if (who.kind !== undefined) document.kind ??= who.kind;
    if (who.namespace !== undefined && who.name !== undefined) {
      this.named.set(namespacedKey(who.namespace, who.name), file);
      document.namespace = who.namespace;
      document.name = who.name;
      document.kind = 'Workspace';
    }
    for (const p of problems) {
      if (!document.problems.some((q) => q.path === p.path && q.message === p.message))
        document.problems.push(p);
    }
    this.#documents.set(id, document);
  }

  errors(): SpecError[] {
    return [...this.#documents.values()].map((failed) => {
      const source = this.#byPath.get(failed.file);
      const problems =
        source === undefined || failed.index === undefined || source.unreadable !== undefined
          ? failed.problems
          : locateProblems(source.content, failed.index, failed.problems);
      const location: SpecLocation = { file: source?.display ?? failed.file };
      if (failed.index !== undefined) location.document = failed.index;
      if (failed.kind !== undefined) location.kind = failed.kind;
      if (failed.name !== undefined) {
        location.namespace = failed.namespace;
        location.name = failed.name;
      }
      return new SpecError(problems, location);
    });
  }
}

export function emptySourceError(before: readonly InventoryEntry[], sourceName = 'the source'): SpecError {
  const names = before.slice(0, 3).map(keyOf).join(', ') + (before.length > 3 ? ', ...' : '');
  return new SpecError(
    [
      {
        path: '',
        message: `holds no Workspace, so rendering it would remove all ${before.length} workspaces of the previous output (${names}); nothing was changed. If every workspace should go, run again with --allow-empty`,
      },
    ],
    { file: sourceName },
  );
}

/**
 * Source objects that render nowhere. One that a refused Workspace references is not "unreferenced":
 * it comes back with that Workspace once the spec is fixed (until then its last output keeps it).
 */
export function unreferencedWarnings(
  objects: readonly SourceObject[],
  refused: readonly Workspace[],
  failures: readonly LoadFailure[],
): string[] {
  const wanted = new Map<string, string>();
  for (const workspace of refused) {
    for (const ref of references(workspace))
      wanted.set(`${ref.kind}/${workspace.namespace}/${ref.name}`, keyOf(workspace));
  }
  const unread = failures.some(
    (f) => f.workspace === undefined && (f.kind === undefined || f.kind === 'Workspace'),
  );
  return objects.map((object) => {
    const namespace = object.metadata.namespace ?? 'default';
    const what = `${object.kind} "${namespace}/${object.metadata.name}"`;
    const by = wanted.get(`${object.kind}/${namespace}/${object.metadata.name}`);
    if (by !== undefined)
      return `${what} is referenced only by Workspace "${by}", which is refused, so it is not rendered until that spec is fixed`;
    const which = unread ? 'any Workspace that could be read' : 'any Workspace';
    return `${what} is not referenced by ${which}, so it is not rendered; reference it from a Workspace or keep it elsewhere`;
  });
}
