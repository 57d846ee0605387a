/**
 * Kaito's default fine-tuning parameters as the ConfigMap of one tuning Workspace, for a Workspace that
 * names no `tuning.config`: the plan chose the defaults and the name (catalog `training-config.ts`); the
 * tuning Job mounts it at `/mnt/config`, where Kaito's trainer reads `training_config.yaml`.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { TRAINING_CONFIG_KEY } from '../api/index.ts';
import type { TuningPlan } from '../catalog/index.ts';
import { workspaceLabels } from './labels.ts';

/** The ConfigMap to render beside the Job; undefined when the Workspace names its own `tuning.config`. */
export function defaultTrainingConfigMap(plan: TuningPlan): V1ConfigMap | undefined {
  const { configMap, defaults } = plan.trainingConfig;
  if (defaults === undefined) return undefined;
  const { name, namespace } = plan.workspace;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configMap, namespace, labels: workspaceLabels(name) },
    data: { [TRAINING_CONFIG_KEY]: defaults.trainingConfig },
  };
}
