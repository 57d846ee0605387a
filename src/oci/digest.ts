/** Content digests (`sha256:<hex>`), the identity of every blob and manifest. */
import { createHash } from 'node:crypto';

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Hashes a stream of pieces as they pass, counting bytes. */
export class Digester {
  private readonly hash = createHash('sha256');
  size = 0;

  update(piece: Buffer): void {
    this.hash.update(piece);
    this.size += piece.length;
  }

  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/** `sha256:0123456789ab` for messages. */
export function short(digest: string): string {
  return digest.slice(0, 19);
}
