/**
 * The OCI (image-spec v1.1) and Docker v2 schema 2 documents a client reads and writes: descriptors,
 * image manifests and image indexes (manifest lists), parsed from untrusted JSON into checked types.
 */
export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** Every manifest type we can read, for the `Accept` header. */
export const MANIFEST_ACCEPT = [MEDIA.ociManifest, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.dockerList];

/** ORAS names each file of an artifact with this layer annotation. */
export const TITLE_ANNOTATION = 'org.opencontainers.image.title';
/** ORAS marks a layer that holds a whole directory (a tar, usually gzipped) with this annotation. */
export const ORAS_UNPACK_ANNOTATION = 'io.deis.oras.content.unpack';
/** Kaito's tuning sets this manifest annotation to the preset name. */
export const KAITO_MODEL_ANNOTATION = 'sh.kaito.model.name';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType: string;
  manifests: Descriptor[];
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** A descriptor, or a one-line reason why `value` is not one. */
function descriptor(value: unknown, where: string): Descriptor | string {
  if (!isRecord(value)) return `${where} is not an object`;
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string') return `${where}.mediaType is missing`;
  if (typeof digest !== 'string' || !DIGEST.test(digest)) return `${where}.digest is not a sha256 digest`;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    return `${where}.size is not a size`;
  const result: Descriptor = { mediaType, digest, size };
  const annotations = stringMap(value['annotations']);
  if (annotations !== undefined) result.annotations = annotations;
  const platform = value['platform'];
  if (
    isRecord(platform) &&
    typeof platform['os'] === 'string' &&
    typeof platform['architecture'] === 'string'
  ) {
    result.platform = { os: platform['os'], architecture: platform['architecture'] };
    if (typeof platform['variant'] === 'string') result.platform.variant = platform['variant'];
  }
  if (typeof value['artifactType'] === 'string') result.artifactType = value['artifactType'];
  return result;
}

export type ParsedManifest =
  | { kind: 'manifest'; manifest: ImageManifest }
  | { kind: 'index'; index: ImageIndex }
  | { kind: 'invalid'; reason: string };

/**
 * Reads a manifest body. `contentType` is the response's Content-Type; the body's own `mediaType` wins
 * when present (some registries answer with a generic type), and a body without either is told apart
 * by its shape (`manifests` means an index).
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { kind: 'invalid', reason: 'the manifest is not JSON' };
  }
  if (!isRecord(json)) return { kind: 'invalid', reason: 'the manifest is not a JSON object' };
  if (json['schemaVersion'] !== 2) {
    return {
      kind: 'invalid',
      reason: `schemaVersion ${String(json['schemaVersion'])} is not supported (only 2)`,
    };
  }
  const mediaType =
    typeof json['mediaType'] === 'string'
      ? json['mediaType']
      : (contentType?.split(';')[0]?.trim() ??
        (Array.isArray(json['manifests']) ? MEDIA.ociIndex : MEDIA.ociManifest));
  if (mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList || Array.isArray(json['manifests'])) {
    const manifests: Descriptor[] = [];
    for (const [i, entry] of (Array.isArray(json['manifests']) ? json['manifests'] : []).entries()) {
      const d = descriptor(entry, `manifests[${i}]`);
      if (typeof d === 'string') return { kind: 'invalid', reason: d };
      manifests.push(d);
    }
    return { kind: 'index', index: { schemaVersion: 2, mediaType, manifests } };
  }
  const config = descriptor(json['config'], 'config');
  if (typeof config === 'string') return { kind: 'invalid', reason: config };
  if (!Array.isArray(json['layers'])) return { kind: 'invalid', reason: 'layers is missing' };
  const layers: Descriptor[] = [];
  for (const [i, entry] of json['layers'].entries()) {
    const d = descriptor(entry, `layers[${i}]`);
    if (typeof d === 'string') return { kind: 'invalid', reason: d };
    layers.push(d);
  }
  const manifest: ImageManifest = { schemaVersion: 2, mediaType, config, layers };
  if (typeof json['artifactType'] === 'string') manifest.artifactType = json['artifactType'];
  const annotations = stringMap(json['annotations']);
  if (annotations !== undefined) manifest.annotations = annotations;
  return { kind: 'manifest', manifest };
}

/** True for the config types of runnable images, whose layers are a root filesystem. */
export function isImageConfig(mediaType: string): boolean {
  return mediaType === MEDIA.ociConfig || mediaType === MEDIA.dockerConfig;
}

/**
 * The entry of an index to use: linux/amd64 (what the nodes that run Kaito are), else the only entry.
 * Returns a reason when neither applies.
 */
export function pickPlatform(index: ImageIndex): Descriptor | string {
  const images = index.manifests.filter((m) => m.platform?.architecture !== 'unknown');
  const amd64 = images.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64');
  if (amd64 !== undefined) return amd64;
  if (images.length === 1 && images[0] !== undefined) return images[0];
  const platforms = images.map((m) =>
    m.platform ? `${m.platform.os}/${m.platform.architecture}` : m.digest,
  );
  return `the image index has no linux/amd64 entry (it has ${platforms.join(', ') || 'none'})`;
}
