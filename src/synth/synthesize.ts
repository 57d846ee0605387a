/**
 * Plans in, manifests out: `synthesize` for one Workspace, `synthesizeAll` for a source tree (it also
 * places pass-through objects and refuses Workspaces whose generated objects collide). Pure: no I/O,
 * no environment, no module state; the same plans give the same objects.
 */
import {
  DEFAULT_NAMESPACE,
  compareNamespaced,
  namespacedKey,
  type SourceObject,
  type SourceRef,
} from '../api/index.ts';
import type { WorkspacePlan } from '../catalog/index.ts';
import { SpecError, type Problem } from '../errors.ts';
import { resolveObjects } from './chart.ts';
import { assignPassThrough, identity, namespaceOf, passThroughManifest, references } from './pass-through.ts';
import type { Manifest, SynthOptions, WorkspaceManifests } from './types.ts';
import { generatedObjects, planProblems } from './workspace-objects.ts';

export interface SynthesizeOptions extends SynthOptions {
  /** Source objects (ConfigMaps, PVCs) to emit with this Workspace, as `assignPassThrough` chose them. @default [] */
  passThrough?: readonly SourceObject[];
}

/** A Workspace that could not be synthesized; its last good output should be kept. */
export interface SynthesisFailure {
  namespace: string;
  name: string;
  source: SourceRef;
  error: SpecError;
}

export interface SynthesisResult {
  /** Sorted by namespace, then name. */
  workspaces: WorkspaceManifests[];
  failures: SynthesisFailure[];
  /** Source objects no synthesized Workspace references (see `assignPassThrough`). */
  unreferenced: SourceObject[];
}

/** One Workspace's objects. Throws a SpecError (with the spec's file) when the spec cannot be rendered. */
export function synthesize(plan: WorkspacePlan, options: SynthesizeOptions = {}): WorkspaceManifests {
  const problems = planProblems(plan);
  if (problems.length > 0) throw new SpecError(problems, { file: plan.workspace.source.file });
  return build(plan, generatedObjects(plan, options), options.passThrough ?? []);
}

export interface SynthesizeAllOptions extends SynthOptions {
  /**
   * Workspaces (`namespace/name`) whose output the tree already holds. They claim the names of their
   * objects before new Workspaces do, so a new Workspace never takes a name from a running one.
   * @default none
   */
  running?: ReadonlySet<string>;
  /** The source file of a source object, for messages. @default unknown */
  fileOf?: (object: SourceObject) => string | undefined;
}

/** Who emits an object of a given identity: a Workspace generating it, or referencing it from the source. */
interface Claim {
  plan: WorkspacePlan;
  generated?: Manifest;
  source?: SourceObject;
}

/**
 * Every Workspace of a source tree. A Workspace fails alone (listed in `failures`) when its spec
 * cannot be rendered or when an object it would emit, generated or from the source, has the identity
 * (kind, namespace, name) of one another Workspace claimed first: Kustomize refuses an object listed
 * twice. Workspaces claim in order, the `running` ones first, then namespace/name (say `foo`'s
 * headless Service and a new Workspace named `foo-headless`; a source ConfigMap named like a tuning
 * Workspace's default parameters). Source objects shared by several Workspaces are no clash; they go
 * with the first surviving Workspace, in namespace/name order, that references them.
 */
export function synthesizeAll(
  plans: readonly WorkspacePlan[],
  sourceObjects: readonly SourceObject[],
  options: SynthesizeAllOptions = {},
): SynthesisResult {
  const isNew = (plan: WorkspacePlan) =>
    options.running?.has(namespacedKey(plan.workspace.namespace, plan.workspace.name)) === true ? 0 : 1;
  const ordered = [...plans].sort(
    (a, b) => isNew(a) - isNew(b) || compareNamespaced(a.workspace, b.workspace),
  );
  const bySourceIdentity = new Map(
    sourceObjects.map((o) => [identity(o.kind, namespaceOf(o), o.metadata.name), o]),
  );
  const fileOf = (object: SourceObject) => options.fileOf?.(object) ?? 'the source';
  const failures: SynthesisFailure[] = [];
  const survivors: { plan: WorkspacePlan; objects: Manifest[] }[] = [];
  const claims = new Map<string, Claim>();
  for (const plan of ordered) {
    const workspace = plan.workspace;
    const fail = (error: SpecError) =>
      failures.push({
        namespace: workspace.namespace,
        name: workspace.name,
        source: workspace.source,
        error,
      });
    const problems = planProblems(plan);
    if (problems.length > 0) {
      fail(new SpecError(problems, { file: workspace.source.file }));
      continue;
    }
    const objects = generatedObjects(plan, options);
    const mine = new Map<string, Claim>(
      objects.map((object) => [objectIdentity(object), { plan, generated: object }]),
    );
    const clashes: Problem[] = [];
    for (const object of objects) {
      const owner = claims.get(objectIdentity(object));
      if (owner !== undefined) clashes.push(generatedClash(object, owner, fileOf));
    }
    for (const reference of references(workspace)) {
      const id = identity(reference.kind, workspace.namespace, reference.name);
      const object = bySourceIdentity.get(id);
      if (object === undefined) continue;
      const owner = claims.get(id) ?? mine.get(id);
      if (owner?.generated !== undefined) {
        clashes.push(referenceClash(reference.field, object, owner, plan, fileOf));
      } else if (!mine.has(id)) mine.set(id, { plan, source: object });
    }
    if (clashes.length > 0) {
      fail(new SpecError(clashes, { file: workspace.source.file }));
      continue;
    }
    for (const [id, claim] of mine) if (!claims.has(id)) claims.set(id, claim);
    survivors.push({ plan, objects });
  }
  const assignment = assignPassThrough(
    survivors.map((s) => s.plan.workspace),
    sourceObjects,
  );
  const workspaces = survivors
    .sort((a, b) => compareNamespaced(a.plan.workspace, b.plan.workspace))
    .map(({ plan, objects }) =>
      build(
        plan,
        objects,
        assignment.byWorkspace.get(namespacedKey(plan.workspace.namespace, plan.workspace.name)) ?? [],
      ),
    );
  return { workspaces, failures, unreferenced: assignment.unreferenced };
}

/** What a generated object is for, in a message. */
function purpose(object: Manifest): string {
  return object.kind === 'ConfigMap' ? 'its default tuning parameters' : `its ${object.kind}`;
}

function shown(object: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${object.kind} "${object.metadata.namespace ?? DEFAULT_NAMESPACE}/${object.metadata.name}"`;
}

/** A generated object whose identity `owner` claimed first. */
function generatedClash(object: Manifest, owner: Claim, fileOf: (o: SourceObject) => string): Problem {
  const other = owner.plan.workspace;
  const who = `Workspace "${other.namespace}/${other.name}" (${other.source.file})`;
  if (owner.source !== undefined) {
    const tuning = object.kind === 'ConfigMap' ? ', or give this Workspace a tuning.config' : '';
    return {
      path: 'metadata.name',
      message: `generates ${shown(object)} (${purpose(object)}), which is the ${object.kind} of ${fileOf(owner.source)} that ${who} references; rename that ${object.kind}${tuning}`,
    };
  }
  return {
    path: 'metadata.name',
    message: `generates ${shown(object)}, which ${who} generates too; rename one of the two Workspaces`,
  };
}

/** A referenced source object whose identity a Workspace generates (`owner.generated`). */
function referenceClash(
  field: string,
  object: SourceObject,
  owner: Claim,
  plan: WorkspacePlan,
  fileOf: (o: SourceObject) => string,
): Problem {
  const other = owner.plan.workspace;
  const generated = owner.generated as Manifest;
  const whom =
    owner.plan === plan
      ? 'this Workspace itself'
      : `Workspace "${other.namespace}/${other.name}" (${other.source.file})`;
  return {
    path: field,
    message: `references ${shown(object)} of ${fileOf(object)}, which kaito-gitops generates for ${whom}: ${purpose(generated)}; rename the ${object.kind} and this reference`,
  };
}

function build(
  plan: WorkspacePlan,
  generated: Manifest[],
  passThrough: readonly SourceObject[],
): WorkspaceManifests {
  const { name, namespace, source } = plan.workspace;
  const objects = [...generated, ...passThrough.map((object) => passThroughManifest(object, name))];
  return { namespace, name, source: source.file, objects: resolveObjects(name, namespace, objects) };
}

function objectIdentity(object: Manifest): string {
  return identity(object.kind, object.metadata.namespace ?? DEFAULT_NAMESPACE, object.metadata.name);
}
