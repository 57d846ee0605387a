/**
 * `adapter push`: a fine-tuning output directory becomes a Kaito-compatible adapter image.
 *
 * The image (Kaito's adapter image format, pkg/workspace/image in kaito-project/kaito): one gzip tar
 * layer holding `data/<files>`, an OCI image config that has only `rootfs` (no `os`/`architecture`, so
 * every platform's runtime accepts it, and no image index), and the manifest annotation
 * `sh.kaito.model.name=<preset>`. Nothing in it depends on time or on the machine, so the same files
 * give the same digests.
 *
 * Streaming: files → tar → parallel gzip → chunked upload, hashing both the tar (the config's diff ID)
 * and the gzip (the layer digest) on the way; nothing is staged on disk, so the in-pod pusher works with
 * a read-only root filesystem. Re-pushing unchanged files to the same tag uploads nothing: when the tag's
 * current image has a layer with the same diff ID, that layer is used as it is (which also holds when an
 * older zlib compressed it differently); `reuseFrom` names another repository whose layer is mounted
 * (cross-repository blob mount) when it holds the same files.
 */
import { UsageError } from '../errors.ts';
import { layerEntries, readAdapterDirectory, type AdapterFile } from './adapter-files.ts';
import { Digester, sha256 } from './digest.ts';
import { RegistryNotFoundError } from './errors.ts';
import { gzipBlocks, type Piece } from './gzip-blocks.ts';
import { MEDIA, isImageConfig, parseManifest, type Descriptor } from './manifest.ts';
import { formatReference, type ImageReference } from './reference.ts';
import type { PushedBlob, RegistryClient } from './registry-client.ts';
import { tarPieces, type TarEntry } from './tar-writer.ts';

export interface PushAdapterOptions {
  /** Manifest annotations, e.g. `sh.kaito.model.name`. @default {} */
  annotations?: Readonly<Record<string, string>>;
  /** Bytes of the layer's tar read so far, of `total`. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Another image in the same registry that may hold the same files (the same adapter in a staging
   * repository): when its layer's diff ID matches, the layer is mounted from there instead of uploaded.
   */
  reuseFrom?: ImageReference;
}

export interface PushedAdapter {
  /** The reference as given with the manifest digest: `registry/repo:tag@sha256:...`. */
  reference: string;
  digest: string;
  layer: PushedBlob & { diffId: string };
  config: PushedBlob;
  /** False when the tag already named this exact manifest. */
  manifestWritten: boolean;
  files: AdapterFile[];
  skipped: string[];
}

interface PreviousImage {
  manifestDigest: string;
  layer: Descriptor;
  diffId: string;
}

/** Passes pieces on, hashing and counting them. */
async function* tap(
  pieces: AsyncIterable<Piece>,
  digester: Digester,
  onBytes?: (done: number) => void,
): AsyncGenerator<Piece> {
  for await (const piece of pieces) {
    digester.update(piece.data);
    onBytes?.(digester.size);
    yield piece;
  }
}

function tarSize(entries: readonly TarEntry[]): number {
  const block = (n: number) => Math.ceil(n / 512) * 512;
  return entries.reduce((sum, e) => sum + 512 + block(e.size), 1024);
}

export async function pushAdapter(
  client: RegistryClient,
  dir: string,
  ref: ImageReference,
  options: PushAdapterOptions = {},
): Promise<PushedAdapter> {
  if (ref.tag === undefined || ref.digest !== undefined) {
    throw new UsageError(`push to a tag, not a digest: ${formatReference(ref)}`);
  }
  const { files, skipped } = await readAdapterDirectory(dir);
  const entries = layerEntries(files);
  const total = tarSize(entries);
  const progress = options.onProgress && ((done: number) => options.onProgress?.(done, total));

  const previous = await previousImage(client, ref);
  const candidates: { image: PreviousImage; repository: string }[] = [];
  if (previous !== undefined) candidates.push({ image: previous, repository: ref.repository });
  if (options.reuseFrom !== undefined) {
    if (options.reuseFrom.registry !== ref.registry) {
      throw new UsageError(
        `${formatReference(options.reuseFrom)} is not in ${ref.registry}; a layer can only be reused within one registry`,
      );
    }
    const other = await previousImage(client, options.reuseFrom);
    if (other !== undefined) candidates.push({ image: other, repository: options.reuseFrom.repository });
  }
  let layer: (PushedBlob & { diffId: string }) | undefined;
  if (candidates.length > 0) {
    const diff = new Digester();
    for await (const _ of tap(tarPieces(entries), diff, progress)) {
      // hashing only
    }
    const diffId = diff.digest();
    for (const { image, repository } of candidates) {
      if (image.diffId !== diffId) continue;
      const reused =
        repository === ref.repository
          ? await client.blobExists(ref, image.layer.digest)
          : await client.mountBlob(ref, image.layer.digest, repository);
      if (reused) {
        layer = { digest: image.layer.digest, size: image.layer.size, uploaded: false, diffId };
        break;
      }
    }
  }
  if (layer === undefined) {
    let diff = new Digester();
    const pushed = await client.pushStream(ref, () => {
      diff = new Digester();
      return gzipBlocks(tap(tarPieces(entries), diff, progress));
    });
    layer = { ...pushed, diffId: diff.digest() };
  }

  const configBody = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [layer.diffId] } }));
  const config = await client.pushBlob(ref, configBody);
  const annotations = options.annotations ?? {};
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: config.digest, size: config.size },
      layers: [{ mediaType: MEDIA.ociLayerGzip, digest: layer.digest, size: layer.size }],
      ...(Object.keys(annotations).length > 0 && { annotations: sortedRecord(annotations) }),
    }),
  );
  const digest = sha256(manifest);
  const manifestWritten = previous?.manifestDigest !== digest;
  if (manifestWritten) await client.putManifest(ref, manifest, MEDIA.ociManifest);
  return {
    reference: formatReference({ ...ref, digest }),
    digest,
    layer,
    config,
    manifestWritten,
    files,
    skipped,
  };
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The single-layer image the tag names now, if any, with its layer's diff ID. */
async function previousImage(
  client: RegistryClient,
  ref: ImageReference,
): Promise<PreviousImage | undefined> {
  let fetched;
  try {
    fetched = await client.getManifest(ref);
  } catch (error) {
    if (error instanceof RegistryNotFoundError) return undefined;
    throw error;
  }
  const parsed = parseManifest(fetched.body, fetched.mediaType);
  if (parsed.kind !== 'manifest') return undefined;
  const { config, layers } = parsed.manifest;
  const layer = layers[0];
  if (
    layers.length !== 1 ||
    layer === undefined ||
    !isImageConfig(config.mediaType) ||
    config.size > 64 * 1024
  ) {
    return undefined;
  }
  let diffId: unknown;
  try {
    const json = JSON.parse((await client.fetchBlob(ref, config)).toString('utf8')) as {
      rootfs?: { diff_ids?: unknown[] };
    };
    diffId = json.rootfs?.diff_ids?.[0];
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof RegistryNotFoundError) return undefined;
    throw error;
  }
  if (typeof diffId !== 'string') return undefined;
  return { manifestDigest: fetched.digest, layer, diffId };
}
