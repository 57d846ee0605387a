/**
 * Size limits the Kubernetes API server enforces on objects kaito-gitops renders, checked when a spec
 * is validated so that an object the cluster would refuse (and Flux or Argo CD would then fail to apply,
 * holding back everything else in the same apply) is refused here first, with the spec's path.
 * Sizes are counted as the API server counts them (k8s.io/apimachinery `ValidateAnnotationsSize`,
 * `ValidateConfigMap`): bytes of every key plus every value; binaryData by its decoded bytes.
 */
import type { Problem } from '../errors.ts';
import { isObject, problem } from './problems.ts';

/** `TotalAnnotationSizeLimitB`: every annotation key and value of one object together. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;
/** `MaxSecretSize`, which the API server applies to ConfigMaps too: data and binaryData together. */
export const MAX_CONFIG_MAP_BYTES = 1024 * 1024;

export function annotationsSizeProblems(annotations: unknown): Problem[] {
  if (!isObject(annotations)) return [];
  let bytes = 0;
  for (const [key, value] of Object.entries(annotations)) {
    bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  if (bytes <= MAX_ANNOTATIONS_BYTES) return [];
  return [
    problem(
      'metadata.annotations',
      `keys and values total ${bytes} bytes, more than the ${MAX_ANNOTATIONS_BYTES}-byte (256 KiB) limit of the Kubernetes API; move large values into a ConfigMap`,
    ),
  ];
}

export function configMapSizeProblems(configMap: Record<string, unknown>): Problem[] {
  let bytes = 0;
  for (const key of ['data', 'binaryData'] as const) {
    const values = configMap[key];
    if (!isObject(values)) continue;
    for (const [entry, value] of Object.entries(values)) {
      if (typeof value !== 'string') continue;
      bytes += Buffer.byteLength(entry);
      bytes += key === 'data' ? Buffer.byteLength(value) : Buffer.from(value, 'base64').length;
    }
  }
  if (bytes <= MAX_CONFIG_MAP_BYTES) return [];
  return [
    problem(
      'data',
      `data and binaryData total ${bytes} bytes, more than the ${MAX_CONFIG_MAP_BYTES}-byte (1 MiB) limit of a Kubernetes ConfigMap; split it into several ConfigMaps`,
    ),
  ];
}
