/**
 * An OCI distribution-spec v1.1 client: manifests (image manifests, image indexes, Docker schema 2),
 * blobs streamed in both directions with their digests checked, and the upload protocol.
 *
 * Uploads follow the distribution protocol in blob-upload.ts (chunks, resume, restart).
 *
 * Downloads are resumed with `Range` after a broken connection, and verified against the descriptor's
 * size and digest before the last byte is handed on.
 */
import type { IncomingMessage } from 'node:http';
import { repositoryScope } from './auth.ts';
import { BlobUploader } from './blob-upload.ts';
import { Digester, sha256, short } from './digest.ts';
import { RegistryContentError, RegistryError, RegistryUnavailableError } from './errors.ts';
import { drain, header, readBody } from './http-request.ts';
import {
  MANIFEST_ACCEPT,
  parseManifest,
  pickPlatform,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from './manifest.ts';
import { formatReference, manifestReference, type ImageReference } from './reference.ts';
import { Transport, type TransportOptions } from './transport.ts';

export interface ClientOptions extends TransportOptions {
  /** Bytes per `PATCH` of a streamed upload; two chunks are in memory at most. @default 16 MiB */
  chunkSize?: number;
}

/** Where blobs live: a repository of a registry. */
export interface Repository {
  registry: string;
  repository: string;
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

export interface ResolvedImage {
  /** The image manifest (for an index: the entry for linux/amd64 or the only one). */
  manifest: ImageManifest;
  digest: string;
  body: Buffer;
  /** The index the manifest was picked from, when the reference named one. */
  index?: { digest: string; index: ImageIndex };
}

export interface PushedBlob {
  digest: string;
  size: number;
  /** False when the registry already had it (or mounted it): no byte was sent. */
  uploaded: boolean;
}

export type Progress = (bytes: number) => void;

const MANIFEST_LIMIT = 4 * 1024 * 1024;
const DEFAULT_CHUNK = 16 * 1024 * 1024;

export class RegistryClient {
  readonly transport: Transport;
  private readonly uploader: BlobUploader;

  constructor(options: ClientOptions) {
    this.transport = new Transport(options);
    this.uploader = new BlobUploader(this.transport, options.chunkSize ?? DEFAULT_CHUNK, (repo, digest) =>
      this.blobExists(repo, digest),
    );
  }

  close(): void {
    this.transport.close();
  }

  /** A manifest as stored, digest-checked when the reference pins one. */
  async getManifest(ref: ImageReference): Promise<FetchedManifest> {
    const reference = manifestReference(ref);
    const res = await this.transport.call({
      method: 'GET',
      registry: ref.registry,
      repository: ref.repository,
      url: `/v2/${ref.repository}/manifests/${reference}`,
      operation: `get manifest ${reference}`,
      scopes: [repositoryScope(ref.repository, 'pull')],
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
      expect: [200],
    });
    const body = await this.read(res, ref, MANIFEST_LIMIT, `manifest ${reference}`);
    const digest = sha256(body);
    if (ref.digest !== undefined && digest !== ref.digest) {
      throw this.contentError(ref, `the manifest served for ${ref.digest} has digest ${digest}`);
    }
    return { digest, mediaType: header(res.headers, 'content-type') ?? '', body };
  }

  /** The image manifest a reference leads to, through an image index when there is one. */
  async resolveImage(ref: ImageReference): Promise<ResolvedImage> {
    const fetched = await this.getManifest(ref);
    const parsed = parseManifest(fetched.body, fetched.mediaType);
    if (parsed.kind === 'invalid') throw this.contentError(ref, `unreadable manifest: ${parsed.reason}`);
    if (parsed.kind === 'manifest')
      return { manifest: parsed.manifest, digest: fetched.digest, body: fetched.body };
    const picked = pickPlatform(parsed.index);
    if (typeof picked === 'string') throw this.contentError(ref, picked);
    const child = await this.getManifest({ ...ref, digest: picked.digest });
    const inner = parseManifest(child.body, child.mediaType);
    if (inner.kind !== 'manifest') {
      throw this.contentError(ref, `index entry ${picked.digest} is not an image manifest`);
    }
    return {
      manifest: inner.manifest,
      digest: child.digest,
      body: child.body,
      index: { digest: fetched.digest, index: parsed.index },
    };
  }

  async blobExists(repo: Repository, digest: string): Promise<boolean> {
    const res = await this.transport.call({
      method: 'HEAD',
      ...repo,
      url: `/v2/${repo.repository}/blobs/${digest}`,
      operation: `check blob ${short(digest)}`,
      scopes: [repositoryScope(repo.repository, 'pull')],
      expect: [200, 404],
    });
    await drain(res);
    return res.statusCode === 200;
  }

  /**
   * The blob's bytes as they arrive. A broken connection resumes from the last byte received; the
   * digest and size are checked before the last piece is yielded, so a consumer that reaches the end
   * has the right content.
   */
  async *blobStream(repo: Repository, blob: Descriptor, onProgress?: Progress): AsyncGenerator<Buffer> {
    const digester = new Digester();
    for (let attempt = 1; ; attempt++) {
      const offset = digester.size;
      const res = await this.transport.call({
        method: 'GET',
        ...repo,
        url: `/v2/${repo.repository}/blobs/${blob.digest}`,
        operation: `get blob ${short(blob.digest)}`,
        scopes: [repositoryScope(repo.repository, 'pull')],
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
        expect: [200, 206],
        followRedirects: true,
      });
      let skip = offset > 0 && res.statusCode === 200 ? offset : 0; // the server ignored the range
      let pending: Buffer | undefined;
      try {
        for await (const piece of res as AsyncIterable<Buffer>) {
          let data = piece;
          if (skip > 0) {
            const dropped = Math.min(skip, data.length);
            skip -= dropped;
            data = data.subarray(dropped);
            if (data.length === 0) continue;
          }
          if (digester.size + data.length > blob.size) {
            res.destroy();
            throw this.contentError(
              repo,
              `blob ${blob.digest} is larger than its descriptor's ${blob.size} bytes`,
            );
          }
          digester.update(data);
          onProgress?.(digester.size);
          // Hold one piece back, so the last one is yielded only after the digest check.
          if (pending !== undefined) yield pending;
          pending = data;
        }
      } catch (error) {
        if (error instanceof RegistryError || attempt >= this.transport.attempts) {
          throw error instanceof RegistryError
            ? error
            : new RegistryUnavailableError(
                `${repo.registry}/${repo.repository}: get blob ${short(blob.digest)}: connection lost after ${digester.size} of ${blob.size} bytes (${(error as Error).message})`,
                { ...repo, cause: error },
              );
        }
        if (pending !== undefined) yield pending;
        await this.transport.pause(
          `get blob ${short(blob.digest)}`,
          attempt,
          this.transport.backoff(attempt, undefined),
          (error as Error).message,
        );
        continue;
      }
      if (digester.size < blob.size) {
        if (pending !== undefined) yield pending;
        if (attempt >= this.transport.attempts) {
          throw new RegistryUnavailableError(
            `${repo.registry}/${repo.repository}: get blob ${short(blob.digest)}: the body ended after ${digester.size} of ${blob.size} bytes`,
            repo,
          );
        }
        continue;
      }
      const digest = digester.digest();
      if (digest !== blob.digest) {
        throw this.contentError(repo, `blob ${blob.digest} arrived with digest ${digest}`);
      }
      if (pending !== undefined) yield pending;
      return;
    }
  }

  /** A small blob (a config) in memory. */
  async fetchBlob(repo: Repository, blob: Descriptor, limit = MANIFEST_LIMIT): Promise<Buffer> {
    if (blob.size > limit)
      throw this.contentError(repo, `blob ${blob.digest} has ${blob.size} bytes, more than ${limit}`);
    const pieces: Buffer[] = [];
    for await (const piece of this.blobStream(repo, blob)) pieces.push(piece);
    return Buffer.concat(pieces);
  }

  /** Pushes a blob held in memory, unless the registry has it already. */
  async pushBlob(repo: Repository, data: Buffer): Promise<PushedBlob> {
    const digest = sha256(data);
    if (await this.blobExists(repo, digest)) return { digest, size: data.length, uploaded: false };
    await this.pushStream(repo, () => [data]);
    return { digest, size: data.length, uploaded: true };
  }

  /**
   * Streams a blob whose digest is known only at the end. `produce` is called again from the start if
   * the registry loses the upload, so it must yield the same bytes each time (a reproducible layer).
   */
  pushStream(
    repo: Repository,
    produce: () => AsyncIterable<Buffer> | Iterable<Buffer>,
    onProgress?: Progress,
  ): Promise<PushedBlob> {
    return this.uploader.upload(repo, produce, onProgress);
  }

  /**
   * Cross-repository mount: links a blob another repository of the same registry has, without sending
   * it. False when the registry declined (the blob must then be pushed).
   */
  async mountBlob(repo: Repository, digest: string, from: string): Promise<boolean> {
    const res = await this.transport.call({
      method: 'POST',
      ...repo,
      url: `/v2/${repo.repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
      operation: `mount blob ${short(digest)} from ${from}`,
      scopes: [repositoryScope(repo.repository, 'pull,push'), repositoryScope(from, 'pull')],
      expect: [201, 202],
    });
    await drain(res);
    if (res.statusCode === 201) return true;
    // 202: the registry opened an ordinary upload instead; close it.
    const location = header(res.headers, 'location');
    if (location !== undefined) {
      const cancel = await this.transport
        .call({
          method: 'DELETE',
          ...repo,
          url: location,
          operation: 'cancel upload',
          scopes: [repositoryScope(repo.repository, 'pull,push')],
          expect: [204, 404],
        })
        .catch(() => undefined);
      if (cancel) await drain(cancel);
    }
    return false;
  }

  /** Stores a manifest under a tag (or its digest); returns the digest. */
  async putManifest(ref: ImageReference, body: Buffer, mediaType: string): Promise<string> {
    const digest = sha256(body);
    const reference = ref.tag ?? digest;
    const res = await this.transport.call({
      method: 'PUT',
      registry: ref.registry,
      repository: ref.repository,
      url: `/v2/${ref.repository}/manifests/${reference}`,
      operation: `put manifest ${reference}`,
      scopes: [repositoryScope(ref.repository, 'pull,push')],
      headers: { 'content-type': mediaType },
      body,
      expect: [201],
    });
    await drain(res);
    const stored = header(res.headers, 'docker-content-digest');
    if (stored !== undefined && stored !== digest) {
      throw this.contentError(ref, `the registry stored the manifest as ${stored}, not ${digest}`);
    }
    return digest;
  }

  private async read(res: IncomingMessage, repo: Repository, limit: number, what: string): Promise<Buffer> {
    try {
      return await readBody(res, limit);
    } catch (error) {
      if (error instanceof RangeError) throw this.contentError(repo, `${what} is larger than ${limit} bytes`);
      throw new RegistryUnavailableError(
        `${repo.registry}/${repo.repository}: ${what}: ${(error as Error).message}`,
        {
          ...repo,
          cause: error,
        },
      );
    }
  }

  private contentError(repo: Repository | ImageReference, message: string): RegistryContentError {
    const name =
      'tag' in repo || 'digest' in repo ? formatReference(repo) : `${repo.registry}/${repo.repository}`;
    return new RegistryContentError(`${name}: ${message}`, {
      registry: repo.registry,
      repository: repo.repository,
    });
  }
}
