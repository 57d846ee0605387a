/**
 * The blob upload protocol: one upload session per blob (`POST`), the content sent in `PATCH` chunks of
 * `chunkSize` with one chunk in flight while the next is produced, the rest with the closing
 * `PUT ?digest=` (so a small blob is one `POST` + one `PUT`: the monolithic upload). A chunk that fails
 * is resumed where the registry's upload status says it stopped; when the registry lost the session
 * (docker-registry cancels an upload whose chunk was cut off half way), the whole blob is produced and
 * sent again. Memory holds at most two chunks, whatever the blob's size.
 */
import type { IncomingMessage } from 'node:http';
import { repositoryScope } from './auth.ts';
import { Digester, short } from './digest.ts';
import { RegistryContentError, RegistryError, RegistryUnavailableError } from './errors.ts';
import { drain, header } from './http-request.ts';
import type { Progress, PushedBlob, Repository } from './registry-client.ts';
import type { Transport } from './transport.ts';

/** The registry no longer has the upload session (or its offset is not ours): start the blob again. */
class UploadLost extends Error {}

interface UploadSession extends Repository {
  location: string;
}

export class BlobUploader {
  private readonly transport: Transport;
  private readonly chunkSize: number;
  private readonly blobExists: (repo: Repository, digest: string) => Promise<boolean>;

  constructor(
    transport: Transport,
    chunkSize: number,
    blobExists: (repo: Repository, digest: string) => Promise<boolean>,
  ) {
    this.transport = transport;
    this.chunkSize = chunkSize;
    this.blobExists = blobExists;
  }

  async upload(
    repo: Repository,
    produce: () => AsyncIterable<Buffer> | Iterable<Buffer>,
    onProgress?: Progress,
  ): Promise<PushedBlob> {
    for (let round = 1; ; round++) {
      try {
        return await this.uploadOnce(repo, produce, onProgress);
      } catch (error) {
        if (!(error instanceof UploadLost)) throw error;
        if (round >= this.transport.attempts) {
          throw new RegistryUnavailableError(
            `${repo.registry}/${repo.repository}: push blob: ${error.message}`,
            repo,
          );
        }
        await this.transport.pause(
          'push blob',
          round,
          this.transport.backoff(round, undefined),
          error.message,
        );
      }
    }
  }

  private async uploadOnce(
    repo: Repository,
    produce: () => AsyncIterable<Buffer> | Iterable<Buffer>,
    onProgress?: Progress,
  ): Promise<PushedBlob> {
    const session = await this.startUpload(repo);
    const digester = new Digester();
    let pieces: Buffer[] = [];
    let pending = 0;
    let inflight: Promise<void> | undefined;
    for await (const piece of produce()) {
      digester.update(piece);
      pieces.push(piece);
      pending += piece.length;
      if (pending >= this.chunkSize) {
        const chunk = pieces;
        const start = digester.size - pending;
        pieces = [];
        pending = 0;
        if (inflight !== undefined) await inflight;
        inflight = this.sendChunk(session, chunk, start).then(() => onProgress?.(start + bytes(chunk)));
        inflight.catch(() => undefined); // awaited below; this only keeps it from being "unhandled" meanwhile
      }
    }
    if (inflight !== undefined) await inflight;
    const digest = digester.digest();
    await this.finishUpload(session, pieces, digester.size - pending, digest);
    onProgress?.(digester.size);
    return { digest, size: digester.size, uploaded: true };
  }

  private async startUpload(repo: Repository): Promise<UploadSession> {
    const res = await this.transport.call({
      method: 'POST',
      ...repo,
      url: `/v2/${repo.repository}/blobs/uploads/`,
      operation: 'start blob upload',
      scopes: [repositoryScope(repo.repository, 'pull,push')],
      expect: [202],
    });
    await drain(res);
    const location = header(res.headers, 'location');
    if (location === undefined)
      throw new RegistryContentError(
        `${repo.registry}/${repo.repository}: the registry opened an upload without a Location`,
        repo,
      );
    return { ...repo, location: this.absolute(repo, location) };
  }

  private async sendChunk(session: UploadSession, chunk: readonly Buffer[], start: number): Promise<void> {
    const length = bytes(chunk);
    let sent = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.transport.call({
          method: 'PATCH',
          registry: session.registry,
          repository: session.repository,
          url: session.location,
          operation: 'push blob chunk',
          scopes: [repositoryScope(session.repository, 'pull,push')],
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${start + sent}-${start + length - 1}`,
          },
          body: slice(chunk, sent),
          expect: [202],
          attempts: 1,
        });
        await drain(res);
        session.location = this.absolute(session, header(res.headers, 'location') ?? session.location);
        return;
      } catch (error) {
        if (!(error instanceof RegistryUnavailableError) || attempt >= this.transport.attempts) throw error;
        await this.transport.pause(
          'push blob chunk',
          attempt,
          this.transport.backoff(
            attempt,
            error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : undefined,
          ),
          error.message,
        );
        const written = await this.uploadedBytes(session);
        if (written === undefined || written < start || written > start + length) {
          throw new UploadLost(`the registry dropped the upload after a failed chunk (${error.message})`);
        }
        sent = written - start;
        if (sent === length) return;
      }
    }
  }

  private async finishUpload(
    session: UploadSession,
    rest: readonly Buffer[],
    start: number,
    digest: string,
  ): Promise<void> {
    const url = new URL(session.location);
    url.searchParams.set('digest', digest);
    const length = bytes(rest);
    try {
      const res = await this.transport.call({
        method: 'PUT',
        registry: session.registry,
        repository: session.repository,
        url: url.toString(),
        operation: `push blob ${short(digest)}`,
        scopes: [repositoryScope(session.repository, 'pull,push')],
        headers: {
          'content-type': 'application/octet-stream',
          ...(length > 0 && { 'content-range': `${start}-${start + length - 1}` }),
        },
        body: [...rest],
        expect: [201],
        attempts: 1,
      });
      await drain(res);
    } catch (error) {
      if (!(error instanceof RegistryUnavailableError)) throw error;
      // The commit may have happened before the answer was lost.
      if (await this.blobExists(session, digest).catch(() => false)) return;
      throw new UploadLost(`the closing request failed (${error.message})`);
    }
  }

  /** How many bytes the registry holds for an upload, or undefined when it no longer knows it. */
  private async uploadedBytes(session: UploadSession): Promise<number | undefined> {
    let res: IncomingMessage;
    try {
      res = await this.transport.call({
        method: 'GET',
        registry: session.registry,
        repository: session.repository,
        url: session.location,
        operation: 'get upload status',
        scopes: [repositoryScope(session.repository, 'pull,push')],
        expect: [204],
      });
    } catch (error) {
      if (error instanceof RegistryError && !(error instanceof RegistryUnavailableError)) return undefined;
      throw error;
    }
    await drain(res);
    const range = /^(?:bytes=)?0-(\d+)$/.exec(header(res.headers, 'range') ?? '');
    session.location = this.absolute(session, header(res.headers, 'location') ?? session.location);
    if (range === null) return 0;
    const last = Number(range[1]);
    // "0-0" is what a registry says for an empty upload as well as for one byte; treat it as empty.
    return last === 0 ? 0 : last + 1;
  }

  private absolute(repo: Repository, location: string): string {
    return new URL(location, this.transport.origin(repo.registry)).toString();
  }
}

function bytes(pieces: readonly Buffer[]): number {
  return pieces.reduce((sum, piece) => sum + piece.length, 0);
}

/** The pieces from byte `from` on, without copying. */
function slice(pieces: readonly Buffer[], from: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = from;
  for (const piece of pieces) {
    if (skip >= piece.length) {
      skip -= piece.length;
      continue;
    }
    out.push(skip > 0 ? piece.subarray(skip) : piece);
    skip = 0;
  }
  return out;
}
