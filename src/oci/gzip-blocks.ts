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

/** A piece of input; `tensor` picks the strategy for the blocks cut from it. */
export interface Piece {
  data: Buffer;
  tensor: boolean;
}

export interface GzipOptions {
  /** Input bytes per block. @default 1 MiB */
  blockSize?: number;
  /**
   * Blocks in flight: deflating on the thread pool or done and waiting for the consumer. Four per CPU
   * (at least 8) let compression run ahead while the upload waits for the registry to answer a chunk.
   * @default 4 × the number of CPUs, at least 8
   */
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

/**
 * One block, deflated in one job on the thread pool: zlib's output chunk is sized past deflate's worst
 * case for the block, since with the default 16 KiB chunk every 16 KiB of output is another round trip
 * between the thread pool and the main thread (a fifth of a push's main-thread time went there).
 */
function deflateBlock(data: Buffer, tensor: boolean): Promise<Buffer> {
  const options = { ...(tensor ? TENSOR : OTHER), chunkSize: data.length + (data.length >> 10) + 1024 };
  return new Promise((resolve, reject) =>
    deflateRaw(data, options, (error, out) => (error ? reject(error) : resolve(out))),
  );
}

/**
 * The gzip stream of the pieces' bytes. Input is copied into a few reused block buffers, so the
 * producer may reuse its buffer as soon as the next piece is asked for, and memory stays flat (fresh
 * buffers for every megabyte would leave the garbage collector behind by tens of megabytes).
 */
export async function* gzipBlocks(
  input: AsyncIterable<Piece>,
  options: GzipOptions = {},
): AsyncGenerator<Buffer> {
  const blockSize = options.blockSize ?? 1024 * 1024;
  const concurrency = options.concurrency ?? Math.max(2, availableParallelism()) * 4;
  const free: Buffer[] = [];
  const queue: Promise<Buffer>[] = [];
  let block: Buffer = Buffer.allocUnsafe(blockSize);
  let filled = 0;
  let kind: boolean | undefined;
  let crc = 0;
  let size = 0;

  const cut = () => {
    if (filled === 0) return;
    const buffer = block;
    const deflated = deflateBlock(buffer.subarray(0, filled), kind === true).then((out) => {
      free.push(buffer);
      return out;
    });
    deflated.catch(() => undefined); // awaited in order below; this only avoids an "unhandled" report meanwhile
    queue.push(deflated);
    block = free.pop() ?? Buffer.allocUnsafe(blockSize);
    filled = 0;
  };

  yield HEADER;
  for await (const piece of input) {
    crc = crc32(piece.data, crc);
    size += piece.data.length;
    if (kind !== undefined && piece.tensor !== kind) cut();
    kind = piece.tensor;
    for (let offset = 0; offset < piece.data.length;) {
      const copied = piece.data.copy(
        block,
        filled,
        offset,
        Math.min(piece.data.length, offset + blockSize - filled),
      );
      filled += copied;
      offset += copied;
      if (filled === blockSize) cut();
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
