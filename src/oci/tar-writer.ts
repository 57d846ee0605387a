/**
 * Writes the adapter layer's tar: POSIX ustar headers with every field fixed (mode 0644/0755, owner
 * 0:0 without names, mtime 0), a pax record only for a name over 100 bytes or a file over 8 GiB, and
 * file contents read in 1 MiB pieces. Written here rather than with tar-stream's packer because the
 * layer's bytes must be byte-for-byte reproducible and the compressor must know which bytes are tensor
 * data; reading tars (any producer's) is left to tar-stream.
 */
import { open } from 'node:fs/promises';
import type { Piece } from './gzip-blocks.ts';

export interface TarEntry {
  /** Path in the archive, `/`-separated, without a leading `/`; directories end with `/`. */
  name: string;
  /** Absolute path of the file to read; absent for a directory. */
  source?: string;
  size: number;
  /** Compress the content as tensor data. */
  tensor: boolean;
}

const BLOCK = 512;
const READ_SIZE = 1024 * 1024;
const MAX_OCTAL_SIZE = 0o77777777777;

function field(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value, offset, length, 'utf8');
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function ustarHeader(name: string, size: number, type: '0' | '5' | 'x'): Buffer {
  const header = Buffer.alloc(BLOCK);
  const directory = type === '5';
  let path = name;
  let prefix = '';
  if (Buffer.byteLength(path) > 100) {
    const slash = path.lastIndexOf('/', path.length - 2);
    prefix = path.slice(0, slash);
    path = path.slice(slash + 1);
  }
  field(header, 0, 100, path);
  field(header, 100, 8, octal(directory ? 0o755 : 0o644, 8));
  field(header, 108, 8, octal(0, 8));
  field(header, 116, 8, octal(0, 8));
  field(header, 124, 12, octal(size > MAX_OCTAL_SIZE ? 0 : size, 12));
  field(header, 136, 12, octal(0, 12));
  field(header, 148, 8, '        ');
  field(header, 156, 1, type);
  field(header, 257, 6, 'ustar\0');
  field(header, 263, 2, '00');
  field(header, 329, 8, octal(0, 8));
  field(header, 337, 8, octal(0, 8));
  field(header, 345, 155, prefix);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

/** `"<length> key=value\n"`, where the length counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return `${length}${body}`;
}

function padding(size: number): Buffer | undefined {
  const rest = size % BLOCK;
  return rest === 0 ? undefined : Buffer.alloc(BLOCK - rest);
}

function fitsUstar(name: string): boolean {
  if (Buffer.byteLength(name) <= 100) return true;
  const slash = name.lastIndexOf('/', name.length - 2);
  return (
    slash > 0 &&
    Buffer.byteLength(name.slice(0, slash)) <= 155 &&
    Buffer.byteLength(name.slice(slash + 1)) <= 100
  );
}

function headers(entry: TarEntry): Buffer[] {
  const type = entry.source === undefined ? '5' : '0';
  const records: string[] = [];
  if (!fitsUstar(entry.name)) records.push(paxRecord('path', entry.name));
  if (entry.size > MAX_OCTAL_SIZE) records.push(paxRecord('size', String(entry.size)));
  const out: Buffer[] = [];
  if (records.length > 0) {
    const pax = Buffer.from(records.join(''));
    out.push(ustarHeader('PaxHeaders/entry', pax.length, 'x'), pax);
    const pad = padding(pax.length);
    if (pad) out.push(pad);
  }
  // With a pax path, the ustar name is only what readers without pax show: the name cut to its field.
  const fallback = fitsUstar(entry.name)
    ? entry.name
    : Buffer.from(entry.name).subarray(0, 100).toString('utf8');
  out.push(ustarHeader(fallback.replace(/\uFFFD$/, ''), entry.size, type));
  return out;
}

/**
 * The tar stream of the entries, in the order given, ending with the two zero blocks. File content comes
 * in one reused buffer: a piece is valid until the next one is asked for.
 */
export async function* tarPieces(entries: readonly TarEntry[]): AsyncGenerator<Piece> {
  const buffer = Buffer.allocUnsafe(READ_SIZE);
  for (const entry of entries) {
    for (const data of headers(entry)) yield { data, tensor: false };
    if (entry.source === undefined) continue;
    const file = await open(entry.source, 'r');
    try {
      let read = 0;
      while (read < entry.size) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(READ_SIZE, entry.size - read), read);
        if (bytesRead === 0)
          throw new Error(`${entry.source} shrank while it was read (${read} of ${entry.size} bytes)`);
        read += bytesRead;
        yield { data: buffer.subarray(0, bytesRead), tensor: entry.tensor };
      }
      const extra = await file.read(Buffer.alloc(1), 0, 1, read);
      if (extra.bytesRead > 0) throw new Error(`${entry.source} grew while it was read`);
    } finally {
      await file.close();
    }
    const pad = padding(entry.size);
    if (pad) yield { data: pad, tensor: false };
  }
  yield { data: Buffer.alloc(2 * BLOCK), tensor: false };
}
