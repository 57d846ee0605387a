/**
 * Plans in, manifests out: `synthesize` for one Workspace, `synthesizeAll` for a source tree (it also
 * places pass-through objects and refuses Workspaces whose generated objects collide). Pure: no I/O,
 * no environment, no module state; the same plans give the same objects.
 */
import { compareNamespaced, namespacedKey, type SourceObject, type SourceRef } from '../api/index.ts';
import type { WorkspacePlan } from '../catalog/index.ts';
import { SpecError } from '../errors.ts';
import { resolveObjects } from './chart.ts';
import { assignPassThrough, passThroughManifest } from './pass-through.ts';
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

/**
 * Every Workspace of a source tree. A Workspace fails alone (listed in `failures`) when its spec
 * cannot be rendered or when it would generate an object that a Workspace earlier in namespace/name
 * order generates too (say `foo`'s headless Service and a Workspace named `foo-headless`). Source
 * objects go with the first surviving Workspace that references them.
 */
export function synthesizeAll(
  plans: readonly WorkspacePlan[],
  sourceObjects: readonly SourceObject[],
  options: SynthOptions = {},
): SynthesisResult {
  const ordered = [...plans].sort((a, b) => compareNamespaced(a.workspace, b.workspace));
  const failures: SynthesisFailure[] = [];
  const survivors: { plan: WorkspacePlan; objects: Manifest[] }[] = [];
  const owners = new Map<string, WorkspacePlan>();
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
    const clashes = objects.flatMap((object) => {
      const owner = owners.get(objectIdentity(object));
      return owner === undefined ? [] : [{ object, owner: owner.workspace }];
    });
    if (clashes.length > 0) {
      const problemsFound = clashes.map(({ object, owner }) => ({
        path: 'metadata.name',
        message: `generates ${object.kind} "${object.metadata.namespace}/${object.metadata.name}", which Workspace "${owner.namespace}/${owner.name}" (${owner.source.file}) generates too; rename one of the two Workspaces`,
      }));
      fail(new SpecError(problemsFound, { file: workspace.source.file }));
      continue;
    }
    for (const object of objects) owners.set(objectIdentity(object), plan);
    survivors.push({ plan, objects });
  }
  const assignment = assignPassThrough(
    survivors.map((s) => s.plan.workspace),
    sourceObjects,
  );
  const workspaces = survivors.map(({ plan, objects }) =>
    build(
      plan,
      objects,
      assignment.byWorkspace.get(namespacedKey(plan.workspace.namespace, plan.workspace.name)) ?? [],
    ),
  );
  return { workspaces, failures, unreferenced: assignment.unreferenced };
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
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}
