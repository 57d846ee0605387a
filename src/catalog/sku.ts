/**
 * Which SKU a Workspace runs on: the one it names (checked against the catalog with Kaito's "Unsupported
 * instance type" rule), or, when it names none and its nodes are not bring-your-own, the cheapest
 * catalog SKU of the cloud that fits the model on one node.
 */
import { compareStrings } from '../api/index.ts';
import type { Catalog, Cloud, GpuSku } from './types.ts';

/** Azure prefixes Kaito accepts without knowing the SKU (`N_SERIES_PREFIX`, `D_SERIES_PREFIX`). */
export const AZURE_ALLOWED_PREFIXES = ['Standard_N', 'Standard_D'] as const;

/** Kaito v0.12 keeps only SKUs with CUDA compute capability >= 8.0; automatic choice does the same. */
export const MIN_AUTO_COMPUTE_CAPABILITY = 8.0;

export type SkuResolution =
  | { kind: 'catalog'; sku: GpuSku }
  /** An Azure N/D-series SKU the catalog does not list: allowed, GPU count and memory unknown. */
  | { kind: 'prefix'; name: string }
  | { kind: 'unsupported'; message: string };

export function resolveSku(name: string, catalog: Catalog, cloud: Cloud): SkuResolution {
  const sku = catalog.skus.get(name);
  if (sku) return { kind: 'catalog', sku };
  if (
    (cloud === 'azure' || cloud === 'arc') &&
    AZURE_ALLOWED_PREFIXES.some((prefix) => name.startsWith(prefix))
  ) {
    return { kind: 'prefix', name };
  }
  const supported = catalog.skus
    .list()
    .filter((s) => s.cloud === cloud)
    .map((s) => s.name)
    .join(', ');
  return { kind: 'unsupported', message: `Unsupported instance type ${name}. Supported SKUs: ${supported}` };
}

/** SKUs of `cloud` with a known price and a current NVIDIA GPU, cheapest first (name breaks ties). */
export function autoCandidates(catalog: Catalog, cloud: Cloud): GpuSku[] {
  return catalog.skus
    .list()
    .filter(
      (sku) =>
        sku.cloud === cloud &&
        sku.pricePerHourUsd !== undefined &&
        (sku.computeCapability ?? 0) >= MIN_AUTO_COMPUTE_CAPABILITY,
    )
    .sort((a, b) => (a.pricePerHourUsd ?? 0) - (b.pricePerHourUsd ?? 0) || compareStrings(a.name, b.name));
}

/** The cheapest candidate for which `fits` holds, if any. */
export function cheapestFit(
  catalog: Catalog,
  cloud: Cloud,
  fits: (sku: GpuSku) => boolean,
): GpuSku | undefined {
  return autoCandidates(catalog, cloud).find(fits);
}

export function formatPrice(usd: number): string {
  return `$${usd.toFixed(2)}/h`;
}
