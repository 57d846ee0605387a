/** Typed accessors over synthesized manifests, so tests read like the objects they check. */
import type {
  V1Container,
  V1Deployment,
  V1Job,
  V1PodSpec,
  V1PodTemplateSpec,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { Manifest, WorkspaceManifests } from '../../src/synth/types.ts';

export function find(manifests: WorkspaceManifests, kind: string, name?: string): Manifest {
  const found = manifests.objects.find(
    (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
  );
  if (found === undefined) {
    const have = manifests.objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(`no ${kind}${name === undefined ? '' : ` ${name}`} in ${have}`);
  }
  return found;
}

export const service = (m: WorkspaceManifests, name?: string) =>
  find(m, 'Service', name) as unknown as V1Service;
export const deployment = (m: WorkspaceManifests) => find(m, 'Deployment') as unknown as V1Deployment;
export const statefulSet = (m: WorkspaceManifests) => find(m, 'StatefulSet') as unknown as V1StatefulSet;
export const job = (m: WorkspaceManifests) => find(m, 'Job') as unknown as V1Job;

export function kinds(manifests: WorkspaceManifests): string[] {
  return manifests.objects.map((o) => `${o.kind}/${o.metadata.name}`);
}

/** The pod template of the workload (Deployment, StatefulSet or Job). */
export function podTemplate(manifests: WorkspaceManifests): V1PodTemplateSpec {
  const workload = manifests.objects.find((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
  if (workload === undefined) throw new Error(`no workload in ${kinds(manifests).join(', ')}`);
  return (workload as unknown as V1Deployment).spec!.template;
}

export function podSpec(manifests: WorkspaceManifests): V1PodSpec {
  return podTemplate(manifests).spec!;
}

export function mainContainer(manifests: WorkspaceManifests): V1Container {
  return podSpec(manifests).containers[0]!;
}

export const names = (items: readonly { name: string }[] | undefined): string[] =>
  (items ?? []).map((i) => i.name);
