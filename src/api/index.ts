/**
 * What other folders use from `src/api`: the Workspace model, the loader, Kaito's rules, update rules,
 * conditions, and the generated CRD and JSON Schema.
 */
export type {
  AdapterSpec,
  ApiVersion,
  ConfigMapObject,
  DataDestination,
  DataSource,
  InferenceSpec,
  JsonObject,
  LabelSelector,
  LabelSelectorRequirement,
  ObjectMeta,
  PresetOptions,
  PresetSpec,
  ResourceSpec,
  Runtime,
  SourceObject,
  SourceRef,
  TuningMethod,
  TuningSpec,
  Workspace,
  WorkspaceDocument,
} from './types.ts';
export { RUNTIMES, TUNING_METHODS } from './types.ts';
export * from './constants.ts';
export { compareNamespaced, compareStrings, keyOf, namespacedKey, splitNamespacedKey } from './keys.ts';
export { closest, editDistance } from './problems.ts';

export type { LoadFailure, LoadResult, SourceFile } from './load.ts';
export { loadSources } from './load.ts';
export { MAX_ALIAS_COUNT, MAX_FILE_BYTES } from './yaml-documents.ts';

export { DEFAULT_NAMESPACE, defaultRuntime, normalizeWorkspace } from './normalize.ts';
export { SERVER_SET_METADATA } from './source-objects.ts';
export type { ValidationContext } from './validate.ts';
export {
  MAX_INFERENCE_NAME_LENGTH,
  RESERVED_SELECTOR_LABELS,
  labelSelectorAsMap,
  validateWorkspace,
} from './validate.ts';
export { MAX_ADAPTERS } from './validate-inference.ts';
export { validateUpdate } from './update.ts';
export type { VllmArgValue } from './config-maps.ts';
export {
  INFERENCE_CONFIG_KEY,
  TRAINING_CONFIG_KEY,
  findConfigMap,
  readVllmConfig,
  vllmArgs,
} from './config-maps.ts';

export type { ImageReference, ParsedImage } from './image-reference.ts';
export { parseImageReference } from './image-reference.ts';
export { dataUrlError } from './data-url.ts';
export { dns1123LabelErrors, dns1123SubdomainErrors, isDns1123Label, isDns1123Subdomain } from './names.ts';

export type {
  Condition,
  ConditionStatus,
  ConditionType,
  ConditionUpdate,
  KstatusStatus,
  StatusSummary,
  SummaryContext,
} from './conditions.ts';
export {
  CONDITION_REASONS,
  CONDITION_TYPES,
  findCondition,
  formatTime,
  isTrue,
  removeCondition,
  setCondition,
  summarize,
} from './conditions.ts';

export { CRD_PATH, workspaceCrd, workspaceCrdYaml } from './crd.ts';
export { JSON_SCHEMA_PATH, workspaceJsonSchema, workspaceJsonSchemaText } from './json-schema.ts';
export type { GeneratedFile } from './generate.ts';
export { generatedFiles } from './generate.ts';
