/**
 * The catalog's parse cache. Parsing `presets/` with the YAML library is most of what a one-spec
 * `validate` costs (models.yaml alone takes longer than starting Node), while the parsed documents
 * read back as JSON in well under a millisecond. Entries are named by the SHA-256 of the files' paths
 * and bytes, so an edited preset file is a new entry and a stale one is never read; validation runs on
 * every load, cached or not. Reading or writing the cache may fail (a read-only disk, a full one): then
 * the files are parsed as if there were no cache.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogFile, ParsedCatalogFile } from './load.ts';

/** Bump when the shape of an entry changes. */
const FORMAT = 1;

function entryPath(cacheDir: string, files: readonly CatalogFile[]): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([FORMAT, files]))
    .digest('hex');
  return join(cacheDir, `catalog-${hash.slice(0, 32)}.json`);
}

/** The parsed documents of exactly these files, if the cache holds them. */
export async function readCachedCatalog(
  cacheDir: string,
  files: readonly CatalogFile[],
): Promise<ParsedCatalogFile[] | undefined> {
  try {
    const cached = JSON.parse(await readFile(entryPath(cacheDir, files), 'utf8')) as unknown;
    return Array.isArray(cached) && cached.length === files.length
      ? (cached as ParsedCatalogFile[])
      : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the parsed documents of these files (temp file + rename: a reader never sees half an entry). */
export async function cacheCatalog(
  cacheDir: string,
  files: readonly CatalogFile[],
  documents: readonly ParsedCatalogFile[],
): Promise<void> {
  const entry = entryPath(cacheDir, files);
  try {
    await mkdir(cacheDir, { recursive: true });
    const temporary = `${entry}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify(documents));
    await rename(temporary, entry);
  } catch {
    // No cache this time; the catalog is the same.
  }
}
