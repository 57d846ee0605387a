/** The layer's bytes: our tar and gzip, read back by GNU tar, gzip and zlib; reproducible; safe to read. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipBlocks, type Piece } from '../../../src/oci/gzip-blocks.ts';
import { ListingSink, normalizeEntry, readLayer, underData } from '../../../src/oci/layer-reader.ts';
import { tarPieces, type TarEntry } from '../../../src/oci/tar-writer.ts';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kaito-layer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(pieces: AsyncIterable<Piece | Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const p of pieces) out.push(Buffer.from(Buffer.isBuffer(p) ? p : p.data));
  return Buffer.concat(out);
}

const from = (chunks: Buffer[], tensor = false): AsyncIterable<Piece> =>
  Readable.from(chunks.map((data) => ({ data, tensor })));

const bytes = (chunks: Buffer[]): AsyncIterable<Buffer> => Readable.from(chunks, { objectMode: true });

describe('gzipBlocks', () => {
  it('is one gzip member that zlib and gzip read, the same for any split of the input', async () => {
    const data = Buffer.concat([randomBytes(3 * 1024 * 1024 + 5), Buffer.from('text '.repeat(100_000))]);
    const whole = await collect(gzipBlocks(from([data]), { blockSize: 1024 * 1024 }));
    const split = await collect(
      gzipBlocks(from([data.subarray(0, 777), data.subarray(777, 2_000_000), data.subarray(2_000_000)]), {
        blockSize: 1024 * 1024,
      }),
    );
    expect(split).toEqual(whole);
    expect(gunzipSync(whole)).toEqual(data);
    await writeFile(join(dir, 'x.gz'), whole);
    const { stdout } = await run('gzip', ['-dc', join(dir, 'x.gz')], {
      encoding: 'buffer',
      maxBuffer: 64 << 20,
    });
    expect(stdout).toEqual(data);
  });

  it('compresses tensor and other runs with their own strategy, and empty input too', async () => {
    const text = Buffer.from('{"r":8}'.repeat(10_000));
    const mixed = await collect(
      gzipBlocks(
        Readable.from([
          { data: text, tensor: false },
          { data: Buffer.alloc(100_000), tensor: true },
        ]),
      ),
    );
    expect(gunzipSync(mixed)).toEqual(Buffer.concat([text, Buffer.alloc(100_000)]));
    expect(mixed.length).toBeLessThan(2_000);
    expect(gunzipSync(await collect(gzipBlocks(from([]))))).toEqual(Buffer.alloc(0));
  });
});

describe('tarPieces', () => {
  it('writes what GNU tar lists, with fixed owners, modes and times, long names through pax', async () => {
    const long = `${'n'.repeat(120)}.bin`;
    await writeFile(join(dir, 'a.json'), '{}');
    await writeFile(join(dir, long), randomBytes(1000));
    const entries: TarEntry[] = [
      { name: 'data/', size: 0, tensor: false },
      { name: 'data/a.json', source: join(dir, 'a.json'), size: 2, tensor: false },
      { name: `data/${long}`, source: join(dir, long), size: 1000, tensor: true },
    ];
    const tar = await collect(tarPieces(entries));
    expect(tar.length % 512).toBe(0);
    await writeFile(join(dir, 'x.tar'), tar);
    const { stdout } = await run('tar', ['--numeric-owner', '-tvf', join(dir, 'x.tar')]);
    expect(stdout.trim().split('\n')).toEqual([
      'drwxr-xr-x 0/0               0 1970-01-01 00:00 data/',
      '-rw-r--r-- 0/0               2 1970-01-01 00:00 data/a.json',
      `-rw-r--r-- 0/0            1000 1970-01-01 00:00 data/${long}`,
    ]);
    await mkdir(join(dir, 'x'));
    await run('tar', ['-xf', join(dir, 'x.tar'), '-C', join(dir, 'x')]);
    expect(await readFile(join(dir, 'x', 'data', long))).toEqual(await readFile(join(dir, long)));
  });
});

describe('readLayer', () => {
  it.each([
    ['./data//a.json', 'data/a.json'],
    ['/data/a', 'data/a'],
    ['data/../etc/passwd', undefined],
  ])('normalizes %s', (name, expected) => expect(normalizeEntry(name)).toBe(expected));

  it('keeps only /data, reading gzip, and refuses links there', async () => {
    const src = join(dir, 'rootfs');
    await mkdir(join(src, 'data'), { recursive: true });
    await mkdir(join(src, 'bin'), { recursive: true });
    await writeFile(join(src, 'bin', 'sh'), 'ELF');
    await writeFile(join(src, 'data', 'adapter_config.json'), '{"r":8}');
    const { stdout: tgz } = await run('sh', ['-c', `tar -C ${src} -czf - bin data`], { encoding: 'buffer' });
    const sink = new ListingSink();
    await readLayer(bytes([tgz.subarray(0, 100), tgz.subarray(100)]), underData, sink, true);
    expect([...sink.files]).toEqual([['adapter_config.json', 7]]);

    await run('ln', ['-s', '/etc/passwd', join(src, 'data', 'link')]);
    const { stdout: withLink } = await run('tar', ['-C', src, '-cf', '-', 'data'], { encoding: 'buffer' });
    await expect(readLayer(bytes([withLink]), underData, new ListingSink(), true)).rejects.toThrow(
      '"data/link" is a symlink; adapter files must be regular files',
    );
  });
});
