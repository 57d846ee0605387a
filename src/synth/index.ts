/** What other folders may use from synthesis. */
export type { HelperImages, Manifest, WorkspaceManifests } from './types.ts';

export { synthesize, synthesizeAll } from './synthesize.ts';
