import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { directoryOf, objectId, treeContent } from '../../../src/sync/git-objects.ts';
import { PackStream, packIndex, type PackObject } from '../../../src/sync/packfile.ts';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'packfile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('writes a pack and an index that git itself verifies, object for object', async () => {
  const tree = directoryOf(
    new Map([
      ['a/one.yaml', 'one\n'],
      ['a/two.yaml', 'x'.repeat(70_000)], // a size that needs several header bytes
      ['b.yaml', ''],
    ]),
  );
  const objects: PackObject[] = [];
  const walk = (directory: typeof tree) => {
    objects.push({ oid: directory.oid, type: 'tree', content: treeContent(directory.entries) });
    for (const entry of directory.entries.values()) {
      if (entry.type === 'tree') walk(entry);
      else objects.push({ oid: entry.oid, type: 'blob', content: entry.content });
    }
  };
  walk(tree);
  const commit = Buffer.from(`tree ${tree.oid}\nauthor a <a@b> 0 +0000\ncommitter a <a@b> 0 +0000\n\nm\n`);
  objects.push({ oid: objectId('commit', commit), type: 'commit', content: commit });

  const pack = new PackStream(objects);
  const chunks = [...pack.chunks()];
  expect(pack.count).toBe(objects.length);
  await writeFile(join(dir, `pack-${pack.checksum}.pack`), chunks);
  await writeFile(join(dir, `pack-${pack.checksum}.idx`), packIndex(pack.entries, pack.checksum));
  const { stdout } = await run('git', ['verify-pack', '-v', join(dir, `pack-${pack.checksum}.idx`)]);
  for (const object of objects) expect(stdout).toMatch(new RegExp(`^${object.oid} ${object.type} `, 'm'));
  expect(stdout).toContain(`pack-${pack.checksum}.pack: ok`);
  // The same objects from a shared deflate cache make the same pack.
  const again = new PackStream(objects);
  expect(Buffer.concat([...again.chunks()])).toEqual(Buffer.concat(chunks));
});
