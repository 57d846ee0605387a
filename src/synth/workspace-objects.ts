/**
 * Which objects a plan generates, as plain data, before cdk8s sees them: the Workspace, then per
 * workload kind the Services and Deployment/StatefulSet, or the tuning Job (with Kaito's default training
 * parameters when it names no `tuning.config`). Also the checks that only
 * synthesis can make (names it derives from the spec).
 */
import { HUGGING_FACE_MODEL_ANNOTATION, type Workspace } from '../api/index.ts';
import { huggingFaceModelAnnotation, type WorkspacePlan } from '../catalog/index.ts';
import type { Problem } from '../errors.ts';
import { adapterProblems } from './adapters.ts';
import { DEFAULT_IMAGES } from './constants.ts';
import { presetPodTemplate } from './inference-pod.ts';
import { templatePodTemplate, templateProblems } from './inference-template.ts';
import { inferenceWorkload } from './inference-workload.ts';
import { inferenceServices } from './service.ts';
import { defaultTrainingConfigMap } from './training-config-map.ts';
import { tuningJob } from './tuning-job.ts';
import { tuningNetworkPolicy } from './tuning-network-policy.ts';
import type { HelperImages, Manifest, SynthOptions } from './types.ts';
import { workspaceObject } from './workspace-object.ts';

/** Problems in the spec that would make the generated objects invalid; empty when there are none. */
export function planProblems(plan: WorkspacePlan): Problem[] {
  return workspaceProblems(plan.workspace);
}

/**
 * The same checks on the Workspace alone, so that a spec the catalog refuses (an unknown preset) still
 * gets these problems reported in the same run. The workload is chosen as `plan` chooses it.
 */
export function workspaceProblems(workspace: Workspace): Problem[] {
  if (workspace.tuning !== undefined) return [];
  if (workspace.inference?.preset !== undefined)
    return adapterProblems(workspace.inference.adapters, workspace.name);
  if (workspace.inference?.template !== undefined) return templateProblems(workspace.inference.template);
  return [];
}

export function helperImages(options: SynthOptions): HelperImages {
  return { ...DEFAULT_IMAGES, ...options.images };
}

/** The objects of one Workspace, in no particular order (the chart orders them). */
export function generatedObjects(plan: WorkspacePlan, options: SynthOptions): Manifest[] {
  // A model sized from the Hugging Face cache travels with its Workspace, so the agent plans it as here.
  const model = plan.preset?.huggingFace;
  const annotations = model
    ? { [HUGGING_FACE_MODEL_ANNOTATION]: huggingFaceModelAnnotation(model), ...options.workspaceAnnotations }
    : (options.workspaceAnnotations ?? {});
  const objects: Manifest[] = [workspaceObject(plan.workspace, annotations)];
  switch (plan.workload) {
    case 'inference-preset':
      objects.push(
        ...asManifests(inferenceServices(plan)),
        asManifest(inferenceWorkload(plan, presetPodTemplate(plan, helperImages(options)))),
      );
      break;
    case 'inference-template':
      objects.push(
        ...asManifests(inferenceServices(plan)),
        asManifest(inferenceWorkload(plan, templatePodTemplate(plan))),
      );
      break;
    case 'tuning': {
      const config = defaultTrainingConfigMap(plan);
      if (config !== undefined) objects.push(asManifest(config));
      const policy = tuningNetworkPolicy(plan.workspace);
      if (policy !== undefined) objects.push(asManifest(policy));
      objects.push(asManifest(tuningJob(plan, helperImages(options))));
      break;
    }
  }
  return objects;
}

// The client-node types make every field optional; the builders always set apiVersion, kind and
// metadata.name, which is what a Manifest adds.
function asManifest(object: object): Manifest {
  return object as Manifest;
}

function asManifests(objects: readonly object[]): Manifest[] {
  return objects.map(asManifest);
}
