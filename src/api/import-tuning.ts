/**
 * `kaito-gitops import` of a tuning Workspace that names no `tuning.config`: Kaito's trainer then reads the
 * namespace's copy of `lora-params-template` / `qlora-params-template` (its chart's defaults, copied into the
 * namespace once, pkg/utils/resources EnsureConfigOrCopyFromDefault@v0.12.0), which users may have edited.
 * kaito-gitops renders the defaults it ships instead, so an edited copy would be lost on the move: it is
 * written next to the spec as a ConfigMap of the Workspace's own, and named in `tuning.config`. A copy equal
 * to the shipped defaults (as YAML values: the chart's comments and layout do not count) changes nothing.
 * Pure: the caller reads the namespaces' ConfigMaps.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { TRAINING_CONFIG_KEY } from './config-maps.ts';
import type { StoredObject } from './import.ts';

/** The defaults kaito-gitops renders without `tuning.config` (presets/tuning-defaults.yaml), per API version and method. */
export interface ShippedTuningDefaults {
  apiVersion: string;
  method: string;
  /** The template Kaito's chart ships them as, e.g. `qlora-params-template`. */
  kaitoConfigMap: string;
  trainingConfig: string;
}

/** An edited template kept for a Workspace: what `import` says it did. */
export interface KeptTuningDefaults {
  /** `namespace/name` of the Workspace. */
  workspace: string;
  /** The namespace's template it ran with. */
  template: string;
  /** The ConfigMap written for it and named in its `tuning.config`. */
  configMap: string;
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** True for a tuning Workspace that names no `tuning.config`: Kaito gives it its namespace's template. */
export function usesTuningTemplate(workspace: StoredObject): boolean {
  const tuning = workspace['tuning'];
  return isMap(tuning) && (typeof tuning['config'] !== 'string' || tuning['config'] === '');
}

function sameTrainingConfig(template: StoredObject, shipped: string): boolean {
  const data = template['data'];
  if (!isMap(data) || Object.keys(data).join() !== TRAINING_CONFIG_KEY) return false;
  const text = data[TRAINING_CONFIG_KEY];
  try {
    return typeof text === 'string' && isDeepStrictEqual(parse(text), parse(shipped));
  } catch {
    return false;
  }
}

/**
 * For each Workspace that ran with an edited template: the ConfigMap to write (a copy of the template's
 * data under the first of `<name>-<method>-params`, `-2`, `-3`, ... that is not `taken` in its namespace,
 * by a ConfigMap of the cluster or a file of the import) and what was kept. `taken` holds
 * `namespace/name` and is extended with the names chosen.
 */
export function keepEditedTuningDefaults(
  workspaces: readonly StoredObject[],
  namespaceConfigMaps: readonly StoredObject[],
  shipped: readonly ShippedTuningDefaults[],
  taken: Set<string>,
): Map<StoredObject, { configMap: StoredObject; kept: KeptTuningDefaults }> {
  const key = (o: StoredObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  const byKey = new Map(namespaceConfigMaps.map((c) => [key(c), c]));
  for (const configMap of namespaceConfigMaps) taken.add(key(configMap));
  const result = new Map<StoredObject, { configMap: StoredObject; kept: KeptTuningDefaults }>();
  for (const workspace of [...workspaces].sort((a, b) => (key(a) < key(b) ? -1 : 1))) {
    if (!usesTuningTemplate(workspace)) continue;
    const namespace = workspace.metadata?.namespace ?? '';
    const name = workspace.metadata?.name ?? '';
    const method = (workspace['tuning'] as Record<string, unknown>)['method'];
    const defaults = shipped.find((d) => d.apiVersion === workspace.apiVersion && d.method === method);
    if (defaults === undefined) continue;
    const template = byKey.get(`${namespace}/${defaults.kaitoConfigMap}`);
    if (template === undefined || sameTrainingConfig(template, defaults.trainingConfig)) continue;
    let chosen = `${name}-${defaults.method}-params`;
    for (let n = 2; taken.has(`${namespace}/${chosen}`); n++)
      chosen = `${name}-${defaults.method}-params-${n}`;
    taken.add(`${namespace}/${chosen}`);
    result.set(workspace, {
      configMap: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: chosen, namespace },
        data: template['data'],
      },
      kept: { workspace: key(workspace), template: defaults.kaitoConfigMap, configMap: chosen },
    });
  }
  return result;
}
