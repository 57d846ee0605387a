import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRESETS_DIR, readCatalog } from '../../../src/catalog/index.ts';
import { SpecError } from '../../../src/errors.ts';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'catalog-cache-'));
  await cp(DEFAULT_PRESETS_DIR, join(work, 'presets'), { recursive: true });
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const summary = (catalog: Awaited<ReturnType<typeof readCatalog>>) => ({
  presets: catalog.presets.list(),
  skus: catalog.skus.list(),
  baseImage: catalog.baseImage,
  priceSources: catalog.priceSources,
});

describe('the catalog parse cache', () => {
  it('gives the same catalog from the cache as from the YAML', async () => {
    const cacheDir = join(work, 'cache');
    const plain = summary(await readCatalog(join(work, 'presets')));
    expect(summary(await readCatalog(join(work, 'presets'), { cacheDir }))).toEqual(plain);
    expect(await readdir(cacheDir)).toHaveLength(1);
    expect(summary(await readCatalog(join(work, 'presets'), { cacheDir }))).toEqual(plain);
    expect(await readdir(cacheDir)).toHaveLength(1);
  });

  it('never serves an edited catalog from a stale entry, and still validates it', async () => {
    const cacheDir = join(work, 'cache');
    await readCatalog(join(work, 'presets'), { cacheDir });
    await writeFile(
      join(work, 'presets', 'skus-arc.yaml'),
      'cloud: arc\npriceSource: none\nskus:\n  - { name: x, gpuCount: 0 }\n',
    );
    await expect(readCatalog(join(work, 'presets'), { cacheDir })).rejects.toThrow(SpecError);
    await expect(readCatalog(join(work, 'presets'), { cacheDir })).rejects.toThrow(/skus\[0\]\.gpuCount/);
  });

  it('reports YAML errors from the files and caches nothing for them', async () => {
    const cacheDir = join(work, 'cache');
    await writeFile(join(work, 'presets', 'skus-arc.yaml'), 'cloud: [arc\n');
    await expect(readCatalog(join(work, 'presets'), { cacheDir })).rejects.toThrow(/invalid YAML/);
    expect(await readdir(cacheDir).catch(() => [])).toEqual([]);
  });

  it('works without a usable cache directory (a corrupt entry, a file in its place)', async () => {
    const cacheDir = join(work, 'cache');
    await readCatalog(join(work, 'presets'), { cacheDir });
    const [entry = ''] = await readdir(cacheDir);
    await writeFile(join(cacheDir, entry), '{not json');
    const plain = summary(await readCatalog(join(work, 'presets')));
    expect(summary(await readCatalog(join(work, 'presets'), { cacheDir }))).toEqual(plain);
    // A file where the directory should be: nothing can be written there (even as root).
    const blocked = join(work, 'presets', 'models.yaml');
    expect(summary(await readCatalog(join(work, 'presets'), { cacheDir: blocked }))).toEqual(plain);
  });
});
