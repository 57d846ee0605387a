/**
 * Which SKU a Workspace runs on: the one it names (checked against the catalog with Kaito's "Unsupported
 * instance type" rule), or, when it names none and its nodes are not bring-your-own, the cheapest
 * catalog SKU of the cloud that fits the model on one node.
 */
import { compareStrings } from '../api/index.ts';
import type { Catalog, Cloud, GpuSku } from './types.ts';

/** Kaito v0.12 keeps only SKUs with CUDA compute capability >= 8.0; automatic choice does the same. */
export const MIN_AUTO_COMPUTE_CAPABILITY = 8.0;

export type SkuResolution =
  | { kind: 'catalog'; sku: GpuSku }
  /**
   * A size the catalog does not list but Kaito's webhook admits by prefix (Azure `Standard_N`,
   * `Standard_D`; the SKU file's `unlisted.acceptedPrefixes`): GPU count and memory unknown.
   */
  | { kind: 'prefix'; name: string; prefix: string }
  | { kind: 'unsupported'; message: string };

/** The SKU `name` stands for; names compare case-insensitively, as Kaito compares them. */
export function resolveSku(name: string, catalog: Catalog, cloud: Cloud): SkuResolution {
  const sku =
    catalog.skus.get(name) ?? catalog.skus.list().find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (sku) return { kind: 'catalog', sku };
  const prefix = (catalog.unlistedSkuPrefixes[cloud] ?? []).find((p) =>
    name.toLowerCase().startsWith(p.toLowerCase()),
  );
  if (prefix !== undefined) return { kind: 'prefix', name, prefix };
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
