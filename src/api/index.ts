/**
 * What other folders use from `src/api`: the Workspace model, the loader, Kaito's rules, update rules,
 * conditions, the generated CRD and JSON Schema, the contract names (`constants.ts`), and the byte-order
 * comparator and `namespace/name` keys (`keys.ts`).
 */
export type {
  AdapterSpec,
  ConfigMapObject,
  InferenceSpec,
  JsonObject,
  LabelSelector,
  PresetSpec,
  Runtime,
  SourceObject,
  SourceRef,
  TuningMethod,
  TuningSpec,
  Workspace,
} from './types.ts';
export { TUNING_METHODS } from './types.ts';

export type { ApiVersion } from './constants.ts';
export {
  API_VERSIONS,
  BYO_NODES_ANNOTATION,
  BYPASS_RESOURCE_CHECKS_ANNOTATION,
  ENABLE_LB_ANNOTATION,
  GPU_RESOURCE,
  GPU_TAINT,
  HUGGING_FACE_MODEL_ANNOTATION,
  INSTANCE_TYPE_LABEL,
  KAITO_GITOPS_IMAGE_REPOSITORY,
  KAITO_GITOPS_VERSION,
  KAITO_GROUP,
  MACHINE_TYPE_LABEL,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  NODE_IMAGE_FAMILY_ANNOTATION,
  PERFORMANCE_MODE_ANNOTATION,
  RUNTIME_ANNOTATION,
  SOURCE_COMMIT_ANNOTATION,
  SOURCE_PATH_ANNOTATION,
  SOURCE_REPOSITORY_ANNOTATION,
  SPOT_TAINT,
  USE_LOCAL_WEIGHTS_ANNOTATION,
  WORKSPACE_KIND,
  WORKSPACE_LABEL,
  WORKSPACE_NAMESPACE_LABEL,
  WORKSPACE_RESOURCE,
  WORKSPACE_STORAGE_VERSION,
} from './constants.ts';
export { compareNamespaced, compareStrings, keyOf, namespacedKey, splitNamespacedKey } from './keys.ts';
export { closest, editDistance } from './problems.ts';

export type { LoadFailure, LoadResult, SourceFile } from './load.ts';
export { loadSources } from './load.ts';
export { locateProblems } from './locate.ts';
export { sourceFile, sourceLink } from './source-file.ts';
export type { NodeSource, RepositorySettingsFile } from './repository-settings.ts';
export { DEFAULT_REPOSITORY_SETTINGS, NODE_SOURCES, parseRepositorySettings } from './repository-settings.ts';
export type { RepositoryFiles, Source, SourceEntry } from './source-tree.ts';
export {
  HUGGING_FACE_CACHE_FILE,
  REPOSITORY_DIR,
  REPOSITORY_FILES,
  SETTINGS_FILE,
  entryFile,
  isSpecPath,
  mayHoldSpecs,
  sourceOf,
  underDir,
} from './source-tree.ts';
export { MAX_FILE_BYTES, readYamlDocuments } from './yaml-documents.ts';

export { DEFAULT_NAMESPACE } from './normalize.ts';
export { SERVER_SET_METADATA } from './source-objects.ts';

export { validateWorkspace } from './validate.ts';

export { validateUpdate } from './update.ts';

export {
  INFERENCE_CONFIG_KEY,
  TRAINING_CONFIG_KEY,
  configFacts,
  readVllmConfig,
  trainingConfigProblems,
  trainingOutputOf,
  vllmArgs,
} from './config-maps.ts';
export type { TrainingOutput } from './config-maps.ts';

export { parseImageReference } from './image-reference.ts';
export { dataUrlError } from './data-url.ts';
export { isDns1123Label, isDns1123Subdomain } from './names.ts';

export type {
  Condition,
  ConditionStatus,
  ConditionUpdate,
  KstatusStatus,
  SummaryContext,
} from './conditions.ts';
export {
  CONDITION_REASONS,
  CONDITION_TYPES,
  findCondition,
  removeCondition,
  setCondition,
  summarize,
} from './conditions.ts';

export { CRD_PATH, workspaceCrd } from './crd.ts';
export { workspaceJsonSchema } from './json-schema.ts';
export type { CelHealthCheck } from './health-checks.ts';
export { WORKSPACE_HEALTH_CEL, WORKSPACE_HEALTH_LUA } from './health-checks.ts';
export type { ImportOptions, ImportReference, StoredObject } from './import.ts';
export { importFiles } from './import.ts';
export type { KeptTuningDefaults, ShippedTuningDefaults } from './import-tuning.ts';
export { usesTuningTemplate } from './import-tuning.ts';
export type { GeneratedFile } from './generate.ts';
export { generatedFiles } from './generate.ts';
