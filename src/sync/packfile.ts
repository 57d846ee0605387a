/**
 * Git packfiles (version 2) and their indexes, written from objects held in memory. A sync pass knows
 * exactly which objects it created (the changed blobs, the trees above them, the commit), so it packs
 * those and nothing else, instead of letting isomorphic-git walk the whole new and previous trees to
 * find them. The pack is produced as a stream of chunks, each object deflated when it is reached, so
 * a first push of thousands of workspaces is sent while it is being built (gitformat-pack(5)).
 */
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

export type ObjectType = 'commit' | 'tree' | 'blob';

export interface PackObject {
  oid: string;
  type: ObjectType;
  content: Uint8Array;
}

/** Where each object landed in a pack, for its index. */
export interface PackedEntry {
  oid: string;
  offset: number;
  crc: number;
}

const TYPE_CODES: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3 };

/** The object header: type and inflated size, 4 bits then 7 per byte, high bit = more follows. */
function objectHeader(type: ObjectType, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (TYPE_CODES[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

/**
 * The pack of `objects` as chunks; `entries` and `checksum` are filled in as the stream is read (the
 * checksum, the pack's SHA-1 trailer, once the last chunk has been produced).
 */
export class PackStream {
  readonly entries: PackedEntry[] = [];
  checksum = '';
  readonly #objects: readonly PackObject[];
  readonly #deflated: Map<string, Buffer>;

  /** `deflated`: compressed objects by id, shared by packs of the same objects (filled as it goes). */
  constructor(objects: readonly PackObject[], deflated = new Map<string, Buffer>()) {
    this.#objects = objects;
    this.#deflated = deflated;
  }

  get count(): number {
    return this.#objects.length;
  }

  *chunks(): Generator<Buffer> {
    const hash = createHash('sha1');
    let offset = 0;
    const emit = (chunk: Buffer): Buffer => {
      hash.update(chunk);
      offset += chunk.length;
      return chunk;
    };
    const header = Buffer.alloc(12);
    header.write('PACK', 0, 'latin1');
    header.writeUInt32BE(2, 4);
    header.writeUInt32BE(this.#objects.length, 8);
    yield emit(header);
    for (const object of this.#objects) {
      let compressed = this.#deflated.get(object.oid);
      if (compressed === undefined) {
        compressed = deflateSync(object.content);
        this.#deflated.set(object.oid, compressed);
      }
      const entry = Buffer.concat([objectHeader(object.type, object.content.length), compressed]);
      this.entries.push({ oid: object.oid, offset, crc: crc32(entry) });
      yield emit(entry);
    }
    const trailer = hash.digest();
    this.checksum = trailer.toString('hex');
    yield trailer;
  }
}

/** The version 2 index of a pack (gitformat-pack(5), "pack-*.idx files have the following format"). */
export function packIndex(entries: readonly PackedEntry[], packChecksum: string): Buffer {
  const sorted = [...entries].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const fanout = Buffer.alloc(256 * 4);
  for (let byte = 0, i = 0; byte < 256; byte++) {
    while (i < sorted.length && Number.parseInt(sorted[i]?.oid.slice(0, 2) ?? '', 16) <= byte) i++;
    fanout.writeUInt32BE(i, byte * 4);
  }
  const crcs = Buffer.alloc(sorted.length * 4);
  const offsets = Buffer.alloc(sorted.length * 4);
  const large: Buffer[] = [];
  sorted.forEach((entry, i) => {
    crcs.writeUInt32BE(entry.crc >>> 0, i * 4);
    if (entry.offset < 0x80000000) offsets.writeUInt32BE(entry.offset, i * 4);
    else {
      offsets.writeUInt32BE((0x80000000 | large.length) >>> 0, i * 4);
      const wide = Buffer.alloc(8);
      wide.writeBigUInt64BE(BigInt(entry.offset));
      large.push(wide);
    }
  });
  const body = Buffer.concat([
    Buffer.from([0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2]),
    fanout,
    ...sorted.map((entry) => Buffer.from(entry.oid, 'hex')),
    crcs,
    offsets,
    ...large,
    Buffer.from(packChecksum, 'hex'),
  ]);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}
