/**
 * cdk8s builds each Workspace's objects in its own `App` and `Chart`; we take the resolved JSON with
 * `chart.toJson()` and leave serialization to render's emitter. One App per Workspace on purpose:
 * `chart.toJson()` resolves and validates the whole App, so charts sharing one App would make
 * synthesis quadratic in the number of Workspaces. `app.synth()` is never called (it writes files).
 *
 * Raw `ApiObject`s, not cdk8s-plus: measured on 1,000 Workspaces, construct + `toJson()` takes
 * about 155 ms with `ApiObject` against 280 ms with the L1 `KubeDeployment`-style classes, whose
 * typed serializers also drop fields they do not know (a user's pod template, `nvidia.com/gpu`
 * patches of the wrong shape) and whose L2 constructs add defaults a model server cannot live with.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { compareStrings } from '../api/index.ts';
import type { Manifest } from './types.ts';

/**
 * Order of objects in a Workspace's output: what others refer to comes before what refers to it, and
 * a NetworkPolicy before the pods it restricts.
 */
const KIND_ORDER = [
  'Workspace',
  'ConfigMap',
  'PersistentVolumeClaim',
  'NetworkPolicy',
  'Service',
  'Deployment',
  'StatefulSet',
  'Job',
];

export class WorkspaceChart extends Chart {
  constructor(scope: Construct, id: string, namespace: string, objects: readonly Manifest[]) {
    // Names are always explicit; no hashes, no chart-wide labels (the builders set them per object).
    super(scope, id, { namespace, disableResourceNameHashes: true });
    for (const object of objects) {
      new ApiObject(this, `${object.kind}-${object.metadata.name}`, object);
    }
  }
}

/** The objects resolved by cdk8s (sorted keys, empty values dropped), in {@link KIND_ORDER}. */
export function resolveObjects(id: string, namespace: string, objects: readonly Manifest[]): Manifest[] {
  // Explicit outdir and metadata flag, so the App does not read CDK8S_* environment variables.
  const app = new App({ outdir: 'unused', recordConstructMetadata: false });
  const chart = new WorkspaceChart(app, id, namespace, objects);
  return (chart.toJson() as Manifest[]).sort(compareObjects);
}

export function compareObjects(a: Manifest, b: Manifest): number {
  return kindRank(a.kind) - kindRank(b.kind) || compareStrings(a.metadata.name, b.metadata.name);
}

function kindRank(kind: string): number {
  const rank = KIND_ORDER.indexOf(kind);
  return rank === -1 ? KIND_ORDER.length : rank;
}
