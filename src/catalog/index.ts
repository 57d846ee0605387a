/**
 * What other folders may use from the catalog: loading `presets/`, planning, describing plans, and the
 * pod contract (ports and paths the server command and the pod share).
 */
export { DEFAULT_PRESETS_DIR, readCatalog } from './load.ts';
export { plan } from './plan.ts';
export { describePlan } from './describe.ts';
export { formatPrice } from './sku.ts';
export { formatGi } from './rules.ts';
export {
  ADAPTER_DIR,
  CONFIG_DIR,
  DATA_DIR,
  RAY_PORT,
  RESULTS_DIR,
  RESULTS_PUSH_FAILED_FILE,
  RESULTS_PUSHED_FILE,
  TUNING_DONE_FILE,
  WEIGHTS_DIR,
} from './pod-contract.ts';
export { CLOUDS } from './types.ts';
export type {
  Catalog,
  Cloud,
  PresetInferencePlan,
  TemplatePlan,
  TuningPlan,
  WorkspacePlan,
} from './types.ts';
