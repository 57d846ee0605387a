/** What other folders may use from synthesis. */
export type { HelperImages, Manifest, ManifestMetadata, SynthOptions, WorkspaceManifests } from './types.ts';
export type { SynthesisFailure, SynthesisResult, SynthesizeOptions } from './synthesize.ts';
export { synthesize, synthesizeAll } from './synthesize.ts';
export type { PassThroughAssignment, Reference } from './pass-through.ts';
export { assignPassThrough, references } from './pass-through.ts';
export { DEFAULT_IMAGES } from './constants.ts';
