/** What other folders may use from synthesis. */
export type { HelperImages, Manifest, WorkspaceManifests } from './types.ts';

export type { SynthesisResult, SynthesizeAllOptions } from './synthesize.ts';
export { synthesize, synthesizeAll } from './synthesize.ts';
export { workspaceProblems } from './workspace-objects.ts';
export { references } from './pass-through.ts';
