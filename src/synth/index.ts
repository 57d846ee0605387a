/** What other folders may use from synthesis. */
export type { HelperImages, Manifest, ManifestMetadata, SynthOptions, WorkspaceManifests } from './types.ts';
export type { SynthesisFailure, SynthesisResult, SynthesizeOptions } from './synthesize.ts';
export { synthesize, synthesizeAll } from './synthesize.ts';
export type { PassThroughAssignment, Reference } from './pass-through.ts';
export { assignPassThrough, references } from './pass-through.ts';
export {
  DEFAULT_IMAGES,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  RESULTS_PUSH_FAILED_FILE,
  RESULTS_PUSHED_FILE,
  TUNING_DONE_FILE,
  WORKSPACE_LABEL,
} from './constants.ts';
