/**
 * Deterministic parallel gzip, the way pigz does it: the input is cut into blocks, each block is
 * deflated on libuv's thread pool (several at once, output kept in order) and ends with a sync flush,
 * so the raw deflate streams simply concatenate; one gzip header, an empty final block and the CRC-32
 * and length trailer make it a single standard gzip member that every gunzip reads.
 *
 * Blocks are cut at fixed offsets of the input (and wherever the kind of data changes), never where the
 * producer happened to split its pieces, so the same bytes give the same output on every run with the
 * same zlib. Tensor data is deflated with zlib's run-length strategy: weights have no repeated strings
 * for LZ77 to find, and on float16/bfloat16/float32 tensors the result is as small as `gzip -9`'s at
 * about three times the speed (see README, "Adapter images"); everything else gets zlib's default.
 */
import { constants, crc32, deflateRaw, type ZlibOptions } from 'node:zlib';
import { availableParallelism } from 'node:os';

/**
 * A piece of input; `tensor` picks the strategy for the blocks cut from it. The encoder keeps a
 * reference to `data` until its block is deflated: a producer hands each buffer over and never reuses it.
 */
export interface Piece {
  data: Buffer;
  tensor: boolean;
}

export interface GzipOptions {
  /** Input bytes per block. @default 1 MiB */
  blockSize?: number;
  /** Blocks deflated at once. @default the number of CPUs, at least 2 */
  concurrency?: number;
}

// 10-byte header: magic, deflate, no flags, mtime 0, no extra flags, OS "unknown" (as `gzip -n`, Go).
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
// An empty fixed-Huffman block with BFINAL set: what deflate writes for Z_FINISH with no input left.
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

const TENSOR: ZlibOptions = { level: 6, strategy: constants.Z_RLE, finishFlush: constants.Z_SYNC_FLUSH };
const OTHER: ZlibOptions = {
  level: 6,
  strategy: constants.Z_DEFAULT_STRATEGY,
  finishFlush: constants.Z_SYNC_FLUSH,
};

function deflateBlock(data: Buffer, tensor: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    deflateRaw(data, tensor ? TENSOR : OTHER, (error, out) => (error ? reject(error) : resolve(out))),
  );
}

/** The gzip stream of the pieces' bytes. */
export async function* gzipBlocks(
  input: AsyncIterable<Piece>,
  options: GzipOptions = {},
): AsyncGenerator<Buffer> {
  const blockSize = options.blockSize ?? 1024 * 1024;
  const concurrency = options.concurrency ?? Math.max(2, availableParallelism());
  const queue: Promise<Buffer>[] = [];
  let parts: Buffer[] = [];
  let partsLength = 0;
  let kind: boolean | undefined;
  let crc = 0;
  let size = 0;

  const cut = () => {
    if (partsLength === 0) return;
    const block = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, partsLength);
    const deflated = deflateBlock(block, kind === true);
    deflated.catch(() => undefined); // awaited in order below; this only avoids an "unhandled" report meanwhile
    queue.push(deflated);
    parts = [];
    partsLength = 0;
  };

  yield HEADER;
  for await (const piece of input) {
    crc = crc32(piece.data, crc);
    size += piece.data.length;
    if (kind !== undefined && piece.tensor !== kind) cut();
    kind = piece.tensor;
    let offset = 0;
    while (offset < piece.data.length) {
      const take = Math.min(blockSize - partsLength, piece.data.length - offset);
      parts.push(
        offset === 0 && take === piece.data.length ? piece.data : piece.data.subarray(offset, offset + take),
      );
      partsLength += take;
      offset += take;
      if (partsLength === blockSize) cut();
    }
    while (queue.length >= concurrency) yield await (queue.shift() as Promise<Buffer>);
  }
  cut();
  while (queue.length > 0) yield await (queue.shift() as Promise<Buffer>);
  yield FINAL_BLOCK;
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  yield trailer;
}
