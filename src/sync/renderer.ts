/**
 * The render step sync runs, as an injected function of the pipeline's shape: `hydrate` from
 * `src/pipeline.ts` in the product, a small stand-in in tests that exercise git and races only.
 */
import type { HydrateOptions, HydrateResult, SourceFile } from '../pipeline.ts';

export type Renderer = (files: readonly SourceFile[], options: HydrateOptions) => HydrateResult;
