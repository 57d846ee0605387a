/**
 * Reads image layers (tar, gzip or zstd, told apart by their first bytes, since ORAS and others do not
 * always label them right) into a {@link LayerSink}: the files an adapter pull writes, or the listing
 * `adapter inspect` shows. Only paths a {@link PathMap} keeps are written; the rest of the archive (a
 * busybox root filesystem around `/data`, say) is read past.
 *
 * Safety: entry names are normalized (`./`, leading `/`), a `..` component is refused, and only regular
 * files and directories are written (a link could point outside the target). Whiteouts of later layers
 * (`.wh.<name>`, `.wh..wh..opq`) remove what earlier layers wrote, as a container runtime would.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import tar from 'tar-stream';

/** Maps a normalized archive path to a path under the target (`''` is the target itself), or skips it. */
export type PathMap = (path: string) => string | undefined;

/** Where extracted entries go. Paths are relative to the target, `/`-separated. */
export interface LayerSink {
  directory(path: string): Promise<void>;
  file(path: string, content: AsyncIterable<Buffer>, size: number): Promise<void>;
  /** A whiteout: `path` and everything under it disappear. */
  remove(path: string): Promise<void>;
  /** An opaque directory: everything under it that `keep` does not hold disappears. */
  opaque(path: string, keep: ReadonlySet<string>): Promise<void>;
}

/** A refused entry; the caller turns it into a content error naming the image. */
export class UnsafeEntryError extends Error {}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** `./data//x/` → `data/x`; undefined for a name with a `..` component. */
export function normalizeEntry(name: string): string | undefined {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return undefined;
  return parts.join('/');
}

/** Drops a leading `data/`: images and ORAS artifacts pushed as `data/...` land in the same place. */
export function stripData(path: string): string {
  if (path === 'data') return '';
  return path.startsWith('data/') ? path.slice('data/'.length) : path;
}

/** The image rule: only what is under `data/`, relative to it. */
export const underData: PathMap = (path) =>
  path === 'data' ? '' : path.startsWith('data/') ? path.slice(5) : undefined;

/** Decompresses by magic number: gzip, zstd, or a plain tar. */
async function decompressed(bytes: AsyncIterable<Buffer>): Promise<Readable> {
  const iterator = bytes[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  const source = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    })(),
    { objectMode: false },
  );
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const zstd = head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528;
  if (!gzip && !zstd) return source;
  return pipeline(source, gzip ? createGunzip() : createZstdDecompress(), () => undefined);
}

function drainedOrClosed(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/**
 * Reads one layer into the sink. `written` collects the target paths this layer wrote (an opaque
 * directory keeps them).
 */
export async function readLayer(
  bytes: AsyncIterable<Buffer>,
  map: PathMap,
  sink: LayerSink,
  whiteouts: boolean,
): Promise<void> {
  const extract = tar.extract();
  const input = await decompressed(bytes);
  const feeding = (async () => {
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        if (extract.destroyed) return;
        if (!extract.write(chunk)) await drainedOrClosed(extract);
      }
      (extract as NodeJS.WritableStream).end();
    } catch (error) {
      extract.destroy(error as Error);
    }
  })();
  const written = new Set<string>();
  try {
    for await (const entry of extract) {
      const path = normalizeEntry(entry.header.name);
      if (path === undefined)
        throw new UnsafeEntryError(`the layer has an entry "${entry.header.name}" that climbs out with ".."`);
      const base = path.slice(path.lastIndexOf('/') + 1);
      if (whiteouts && base.startsWith(WHITEOUT)) {
        const parent = path.slice(0, Math.max(0, path.lastIndexOf('/')));
        if (base === OPAQUE) {
          const target = map(parent);
          if (target !== undefined) await sink.opaque(target, written);
        } else {
          const hidden =
            parent === '' ? base.slice(WHITEOUT.length) : `${parent}/${base.slice(WHITEOUT.length)}`;
          const target = map(hidden);
          // `.wh.data` removes the whole directory the map is rooted in.
          if (target !== undefined) await sink.remove(target);
          else if (map(`${hidden}/x`) !== undefined) await sink.remove('');
        }
        entry.resume();
        continue;
      }
      const target = map(path);
      if (target === undefined) {
        entry.resume();
        continue;
      }
      const type = entry.header.type ?? 'file';
      if (type === 'directory') {
        if (target !== '') await sink.directory(target);
        entry.resume();
      } else if (type === 'file' || type === 'contiguous-file') {
        if (target === '')
          throw new UnsafeEntryError(`"${path}" is a file where the adapter directory should be`);
        await sink.file(target, entry as AsyncIterable<Buffer>, entry.header.size ?? 0);
        written.add(target);
      } else {
        throw new UnsafeEntryError(`"${path}" is a ${type}; adapter files must be regular files`);
      }
    }
  } finally {
    input.destroy();
    await feeding;
  }
}

/** Writes entries under a directory (the pull's staging directory). */
export class DirectorySink implements LayerSink {
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async directory(path: string): Promise<void> {
    await mkdir(join(this.root, path), { recursive: true });
  }

  async file(path: string, content: AsyncIterable<Buffer>): Promise<void> {
    const target = join(this.root, path);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { recursive: true, force: true });
    const out = createWriteStream(target, { mode: 0o644 });
    try {
      for await (const chunk of content) {
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'close');
    } catch (error) {
      out.destroy();
      throw error;
    }
  }

  async remove(path: string): Promise<void> {
    if (path === '') {
      for (const name of await readdir(this.root))
        await rm(join(this.root, name), { recursive: true, force: true });
      return;
    }
    await rm(join(this.root, path), { recursive: true, force: true });
  }

  async opaque(path: string, keep: ReadonlySet<string>): Promise<void> {
    const dir = join(this.root, path);
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const relative = join(entry.parentPath, entry.name).slice(this.root.length + 1);
      if (!keep.has(relative)) await rm(join(entry.parentPath, entry.name), { force: true });
    }
  }
}

/** Collects paths and sizes without writing (for `adapter inspect`). */
export class ListingSink implements LayerSink {
  readonly files = new Map<string, number>();

  directory(): Promise<void> {
    return Promise.resolve();
  }

  async file(path: string, content: AsyncIterable<Buffer>, size: number): Promise<void> {
    for await (const _ of content) {
      // read past the content
    }
    this.files.set(path, size);
  }

  remove(path: string): Promise<void> {
    for (const key of [...this.files.keys()]) {
      if (path === '' || key === path || key.startsWith(`${path}/`)) this.files.delete(key);
    }
    return Promise.resolve();
  }

  opaque(path: string, keep: ReadonlySet<string>): Promise<void> {
    for (const key of [...this.files.keys()]) {
      if ((path === '' || key.startsWith(`${path}/`)) && !keep.has(key)) this.files.delete(key);
    }
    return Promise.resolve();
  }
}
