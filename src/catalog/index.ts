/**
 * What other folders may use from the catalog: loading `presets/` (and the Hugging Face cache of models
 * sized from the Hub), planning, describing plans, and the pod contract (ports and paths the server
 * command and the pod share).
 */
export { DEFAULT_PRESETS_DIR, readCatalog, withHuggingFaceCache } from './load.ts';
export {
  cacheFromAnnotation,
  formatHuggingFaceCache,
  huggingFaceModelAnnotation,
  parseHuggingFaceCache,
} from './load-huggingface.ts';
export { factsFromConfig, unsupportedArchitecture, type HuggingFaceRules } from './huggingface-model.ts';
export { findPreset } from './models.ts';
export { plan } from './plan.ts';
export { describePlan } from './describe.ts';
export { formatPrice } from './sku.ts';
export { formatGi } from './rules.ts';
export {
  ADAPTER_DIR,
  CONFIG_DIR,
  CUDA_HOME,
  DATA_DIR,
  KV_EVENTS_PORT,
  RAY_PORT,
  RESULTS_DIR,
  TUNING_DONE_FILE,
  WEIGHTS_DIR,
} from './pod-contract.ts';
export { CLOUDS } from './types.ts';
export type {
  Catalog,
  Cloud,
  HuggingFaceCacheEntry,
  PlanContext,
  PresetInferencePlan,
  TemplatePlan,
  TuningPlan,
  WorkspacePlan,
} from './types.ts';
