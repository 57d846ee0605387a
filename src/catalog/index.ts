/** What other folders may use from the catalog: loading `presets/`, planning, and describing plans. */
export { DEFAULT_PRESETS_DIR, parseCatalog, readCatalog, type CatalogFile } from './load.ts';
export { plan, leaderAddress, CONTAINER_PORT } from './plan.ts';
export { fitsOnOneNode, isBringYourOwnNodes, BYO_ANNOTATION } from './placement.ts';
export { describePlan, type PlanRow } from './describe.ts';
export {
  estimateNodes,
  configuredMaxModelLen,
  ESTIMATOR,
  type EstimateInput,
  type EstimateResult,
} from './estimator.ts';
export { vllmParallelism, gpuMemoryUtilizationFlag, renderFlags, type Parallelism } from './command.ts';
export { resolveSku, autoCandidates, cheapestFit, formatPrice, type SkuResolution } from './sku.ts';
export { BYPASS_RESOURCE_CHECKS, formatGi } from './rules.ts';
export { closeMatches, createRegistry } from './registry.ts';
export {
  CLOUDS,
  type Catalog,
  type Cloud,
  type FlagValue,
  type GpuSku,
  type ModelPreset,
  type NodeEstimate,
  type PlanContext,
  type Registry,
  type ServicePort,
  type TransformersRuntimeSpec,
  type VllmRuntimeSpec,
  type WeightsSource,
  type WorkloadKind,
  type WorkspacePlan,
} from './types.ts';
