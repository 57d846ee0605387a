/**
 * The loader: source files (`{path, content}`, read by the caller) → normalized Workspaces, the other
 * objects beside them (ConfigMaps, PVCs, ...) and failures. Pure and total: it does no I/O and returns
 * problems for any input instead of throwing. A failure carries the file, the document index and, when
 * they can be read safely, the Workspace's namespace and name, so the renderer can keep that Workspace's
 * last good output while its spec is broken.
 */
import type { Problem } from '../errors.ts';
import type { ApiVersion, ConfigMapObject, SourceObject, SourceRef, Workspace } from './types.ts';
import { API_VERSIONS, KAITO_GROUP } from './constants.ts';
import { workspaceDocumentSchema } from './schema.ts';
import { validateStructure } from './structural.ts';
import type { PartialWorkspaceDocument } from './normalize.ts';
import { DEFAULT_NAMESPACE, normalizeWorkspace } from './normalize.ts';
import { validateWorkspace } from './validate.ts';
import { readYamlDocuments } from './yaml-documents.ts';
import { isDns1123Label } from './names.ts';
import { editDistance, isObject, isUnder, problem, show } from './problems.ts';
import { validateObject, workspaceFieldHint } from './source-objects.ts';

/** One file of the source repository. */
export interface SourceFile {
  /** Path relative to the source root: what the inventory records as a workspace's source. */
  path: string;
  content: string;
  /** How messages name the file: the path as the user typed it or as the repository holds it. @default path */
  display?: string;
  /**
   * Why the reader could not take the file as YAML text (binary, not UTF-8, too large), when it could
   * not; `content` is then ignored. The file fails as a whole and keeps what it produced before.
   */
  unreadable?: string;
}

/** A document (or a whole file) that could not be used, with everything wrong with it. */
export interface LoadFailure {
  file: string;
  /** 0-based index of the document in the file; absent when the whole file failed (too large). */
  index?: number;
  /** The document's kind, when it could be read. */
  kind?: string;
  /** Only for Workspaces, and only when valid DNS-1123 labels: the identity whose last good output to keep. */
  namespace?: string;
  name?: string;
  /** The Workspace as normalized, when only Kaito's rules (not the syntax) refused it. */
  workspace?: Workspace;
  problems: Problem[];
}

export interface LoadResult {
  /** Valid Workspaces (Kaito's preset-independent rules passed), normalized. */
  workspaces: Workspace[];
  /** Every other object, as written (ConfigMaps included). */
  objects: SourceObject[];
  /** Where each of `objects` was read. */
  objectSources: ReadonlyMap<SourceObject, SourceRef>;
  failures: LoadFailure[];
}

interface PendingWorkspace {
  workspace: Workspace;
  structural: Problem[];
}

interface Located<T> {
  item: T;
  source: SourceRef;
  identity: string;
}

export function loadSources(files: readonly SourceFile[]): LoadResult {
  const failures: LoadFailure[] = [];
  const pending: Located<PendingWorkspace>[] = [];
  const objects: Located<SourceObject>[] = [];

  for (const file of files) {
    if (file.unreadable !== undefined) {
      failures.push({ file: file.path, problems: [problem('', file.unreadable)] });
      continue;
    }
    const read = readYamlDocuments(file.content);
    if (!read.ok) {
      failures.push({ file: file.path, problems: [read.error] });
      continue;
    }
    if (
      read.documents.every(
        (doc) => doc.errors.length === 0 && (doc.value === null || doc.value === undefined),
      )
    ) {
      failures.push({ file: file.path, problems: [problem('', EMPTY_FILE)] });
      continue;
    }
    for (const doc of read.documents) {
      const source: SourceRef = { file: file.path, index: doc.index };
      const outcome = guarded(source, () => classify(doc.value, doc.errors, source));
      if (outcome === undefined) continue;
      if (outcome.type === 'failure') failures.push(outcome.failure);
      else if (outcome.type === 'workspace') pending.push(outcome.located);
      else objects.push(outcome.located);
    }
  }

  const displayOf = new Map(files.map((f) => [f.path, f.display ?? f.path]));
  const duplicates = findDuplicates([...pending, ...objects], displayOf);
  const keptObjects = objects.filter((o) => !duplicates.has(o));
  const configMaps = keptObjects.map((o) => o.item).filter(isConfigMap);
  const workspaces: Workspace[] = [];

  for (const located of pending) {
    const { workspace, structural } = located.item;
    const duplicate = duplicates.get(located);
    const checked = guarded(located.source, (): Outcome | undefined => {
      const rules = validateWorkspace(workspace, { configMaps });
      const problems = [...structural, ...relevant(rules, structural), ...(duplicate ?? [])];
      if (problems.length === 0) return undefined;
      const failure = workspaceFailure(located.source, workspace.document, problems);
      if (structural.length === 0) failure.workspace = workspace;
      return { type: 'failure', failure };
    });
    if (checked === undefined) workspaces.push(workspace);
    else if (checked.type === 'failure') failures.push(checked.failure);
  }
  for (const located of objects) {
    const duplicate = duplicates.get(located);
    if (duplicate !== undefined) {
      failures.push({ ...located.source, kind: located.item.kind, problems: duplicate });
    }
  }
  return {
    workspaces,
    objects: keptObjects.map((o) => o.item),
    objectSources: new Map(keptObjects.map((o) => [o.item, o.source])),
    failures,
  };
}

type Outcome =
  | { type: 'failure'; failure: LoadFailure }
  | { type: 'workspace'; located: Located<PendingWorkspace> }
  | { type: 'object'; located: Located<SourceObject> };

/** The problem of a file that holds no document: deleting a file is how to remove what it defined. */
export const EMPTY_FILE =
  'holds no YAML document (the file is empty or only comments); to remove the workspaces it defined, delete the file';

function classify(value: unknown, errors: readonly Problem[], source: SourceRef): Outcome | undefined {
  if (errors.length > 0) {
    const problems = [...errors];
    const kind = isObject(value) && typeof value['kind'] === 'string' ? value['kind'] : undefined;
    return {
      type: 'failure',
      failure: kind === 'Workspace' ? workspaceFailure(source, value, problems) : { ...source, problems },
    };
  }
  if (value === null || value === undefined) return undefined;
  if (!isObject(value)) {
    const problems = [problem('', `a document must be a mapping (a Kubernetes object), got ${show(value)}`)];
    return { type: 'failure', failure: { ...source, problems } };
  }
  const header = headerProblems(value);
  const apiVersion = value['apiVersion'];
  const kind = value['kind'];
  if (header.length > 0 || typeof apiVersion !== 'string' || typeof kind !== 'string') {
    const failure: LoadFailure = { ...source, problems: header };
    if (typeof kind === 'string') failure.kind = kind;
    return { type: 'failure', failure };
  }
  if (groupOf(apiVersion) === KAITO_GROUP) return classifyKaito(value, apiVersion, kind, source);
  const mistaken = mistypedWorkspace(apiVersion, kind);
  if (mistaken !== undefined) {
    return { type: 'failure', failure: { ...workspaceFailure(source, value, [mistaken]), kind } };
  }
  const problems = validateObject(value);
  if (problems.length > 0) return { type: 'failure', failure: { ...source, kind, problems } };
  const object = value as SourceObject;
  return {
    type: 'object',
    located: { item: object, source, identity: identityOf(apiVersion, kind, object.metadata) },
  };
}

function classifyKaito(
  value: Record<string, unknown>,
  apiVersion: string,
  kind: string,
  source: SourceRef,
): Outcome {
  if (kind !== 'Workspace') {
    const hint = looksLikeWorkspace(kind)
      ? '; did you mean "Workspace"?'
      : '; kaito-gitops handles only Workspace';
    const problems = [problem('kind', `kind ${show(kind)} of ${KAITO_GROUP} is not supported${hint}`)];
    return { type: 'failure', failure: { ...source, kind, problems } };
  }
  if (!API_VERSIONS.some((v) => v === apiVersion)) {
    const problems = [
      problem(
        'apiVersion',
        `unsupported apiVersion ${show(apiVersion)} for kind Workspace; use ${API_VERSIONS.join(' or ')}`,
      ),
    ];
    return { type: 'failure', failure: workspaceFailure(source, value, problems) };
  }
  const structural = validateStructure(value, workspaceDocumentSchema, '', workspaceFieldHint);
  const document = (structural.value ?? {}) as PartialWorkspaceDocument;
  const workspace = normalizeWorkspace({ ...document, apiVersion: apiVersion as ApiVersion }, source);
  return {
    type: 'workspace',
    located: {
      item: { workspace, structural: structural.problems },
      source,
      identity: identityOf(apiVersion, kind, workspace),
    },
  };
}

/**
 * Runs one document's checks; a bug in a check becomes a problem on that document instead of an exception
 * that would stop the whole load. The fuzz tests assert this message never appears.
 */
function guarded(source: SourceRef, run: () => Outcome | undefined): Outcome | undefined {
  try {
    return run();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const message = `${INTERNAL_ERROR}: ${detail}; please report this document to the kaito-gitops maintainers`;
    return { type: 'failure', failure: { ...source, problems: [problem('', message)] } };
  }
}

/**
 * A document outside the kaito.sh group that is most likely a Workspace with a typo in its apiVersion
 * group (`kiato.sh`) or its kind (`Workspcae`). Taken as an unrelated object it would pass through, and
 * the Workspace it used to be would disappear; refusing it keeps the running model.
 */
function mistypedWorkspace(apiVersion: string, kind: string): Problem | undefined {
  const group = groupOf(apiVersion);
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  if (group !== '' && editDistance(group.toLowerCase(), KAITO_GROUP) <= 2) {
    return problem(
      'apiVersion',
      `unknown API group ${show(group)}; did you mean "${KAITO_GROUP}/${version}"? (Workspaces are ${API_VERSIONS.join(' or ')})`,
    );
  }
  // Core (`v1`) serves no Workspace; other groups may (HCP Terraform's app.terraform.io does).
  if (group === '' && looksLikeWorkspace(kind)) {
    return problem(
      'apiVersion',
      `${show(apiVersion)} does not serve kind ${show(kind)}; a Kaito Workspace is apiVersion ${API_VERSIONS.join(' or ')}, kind Workspace (kaito-gitops renders only those and the objects they reference)`,
    );
  }
  return undefined;
}

function looksLikeWorkspace(kind: string): boolean {
  return editDistance(kind.toLowerCase(), 'workspace') <= 2;
}

/** Start of the message for a document that a check failed on (a bug, never the user's fault). */
export const INTERNAL_ERROR = 'kaito-gitops could not check this document (internal error)';

function headerProblems(value: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  for (const key of ['apiVersion', 'kind'] as const) {
    const field = value[key];
    if (field === undefined || field === null || field === '')
      problems.push(problem(key, 'required field is missing'));
    else if (typeof field !== 'string') problems.push(problem(key, `must be a string, got ${show(field)}`));
  }
  const metadata = value['metadata'];
  if (metadata === undefined || metadata === null) {
    problems.push(problem('metadata', 'required field is missing; every object needs metadata.name'));
  } else if (!isObject(metadata)) {
    problems.push(problem('metadata', `must be an object, got ${show(metadata)}`));
  } else if (metadata['name'] === undefined || metadata['name'] === null || metadata['name'] === '') {
    problems.push(problem('metadata.name', 'required field is missing'));
  } else if (typeof metadata['name'] !== 'string') {
    problems.push(problem('metadata.name', `must be a string, got ${show(metadata['name'])}`));
  }
  return problems;
}

/** Rule problems that add something: none under a field the structural pass already rejected. */
function relevant(rules: readonly Problem[], structural: readonly Problem[]): Problem[] {
  return rules.filter((rule) => {
    if (rule.path === '') {
      return !structural.some((s) => s.path === 'inference' || s.path === 'tuning');
    }
    return !structural.some((s) => isUnder(rule.path, s.path));
  });
}

function workspaceFailure(source: SourceRef, document: unknown, problems: Problem[]): LoadFailure {
  const failure: LoadFailure = { ...source, kind: 'Workspace', problems };
  const metadata = isObject(document) ? document['metadata'] : undefined;
  if (!isObject(metadata)) return failure;
  const name = metadata['name'];
  const namespace = metadata['namespace'] ?? DEFAULT_NAMESPACE;
  if (isDns1123Label(name) && isDns1123Label(namespace)) {
    failure.name = name;
    failure.namespace = namespace;
  }
  return failure;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

function identityOf(apiVersion: string, kind: string, meta: { name: string; namespace?: string }): string {
  return JSON.stringify([groupOf(apiVersion), kind, meta.namespace ?? DEFAULT_NAMESPACE, meta.name]);
}

function isConfigMap(object: SourceObject): object is ConfigMapObject {
  return object.apiVersion === 'v1' && object.kind === 'ConfigMap';
}

/** Objects defined more than once (same group, kind, namespace, name), each with a problem naming the others. */
function findDuplicates(
  all: readonly Located<unknown>[],
  displayOf: ReadonlyMap<string, string>,
): Map<Located<unknown>, Problem[]> {
  const byIdentity = new Map<string, Located<unknown>[]>();
  for (const located of all) {
    const list = byIdentity.get(located.identity) ?? [];
    list.push(located);
    byIdentity.set(located.identity, list);
  }
  const duplicates = new Map<Located<unknown>, Problem[]>();
  for (const [identity, list] of byIdentity) {
    if (list.length < 2) continue;
    const [, kind, namespace, name] = JSON.parse(identity) as string[];
    for (const located of list) {
      const others = list
        .filter((o) => o !== located)
        .map((o) => `${displayOf.get(o.source.file) ?? o.source.file} (document ${o.source.index + 1})`)
        .join(', ');
      duplicates.set(located, [
        problem(
          'metadata.name',
          `${kind ?? ''} ${namespace ?? ''}/${name ?? ''} is also defined in ${others}; keep one definition`,
        ),
      ]);
    }
  }
  return duplicates;
}
