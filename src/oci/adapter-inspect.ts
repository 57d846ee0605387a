/**
 * `adapter inspect`: what an adapter image is, without writing anything: its digest and size, its
 * format, annotations, layers, and the files a pull would give (read from the layers, so large images
 * are downloaded once; `files: false` skips that).
 */
import { imageFormat, readImage, type AdapterFileInfo, type ImageFormat } from './adapter-pull.ts';
import { ListingSink } from './layer-reader.ts';
import { TITLE_ANNOTATION } from './manifest.ts';
import { formatReference, type ImageReference } from './reference.ts';
import type { RegistryClient } from './registry-client.ts';

export interface InspectedLayer {
  mediaType: string;
  digest: string;
  size: number;
  title?: string;
}

export interface InspectedImage {
  reference: string;
  digest: string;
  mediaType: string;
  format: ImageFormat;
  /** Bytes stored: manifest, config and layers. */
  size: number;
  annotations: Record<string, string>;
  /** The index the image manifest was picked from, when the reference named one. */
  index?: string;
  config: { mediaType: string; digest: string; size: number };
  layers: InspectedLayer[];
  files?: AdapterFileInfo[];
}

export async function inspectAdapter(
  client: RegistryClient,
  ref: ImageReference,
  options: { files?: boolean } = {},
): Promise<InspectedImage> {
  const image = await client.resolveImage(ref);
  const { manifest } = image;
  const result: InspectedImage = {
    reference: formatReference({ ...ref, digest: image.digest }),
    digest: image.digest,
    mediaType: manifest.mediaType,
    format: imageFormat(manifest),
    size: image.body.length + manifest.config.size + manifest.layers.reduce((sum, l) => sum + l.size, 0),
    annotations: manifest.annotations ?? {},
    config: {
      mediaType: manifest.config.mediaType,
      digest: manifest.config.digest,
      size: manifest.config.size,
    },
    layers: manifest.layers.map((l) => {
      const title = l.annotations?.[TITLE_ANNOTATION];
      return {
        mediaType: l.mediaType,
        digest: l.digest,
        size: l.size,
        ...(title !== undefined && { title }),
      };
    }),
  };
  if (image.index !== undefined) result.index = image.index.digest;
  if (options.files ?? true) {
    const sink = new ListingSink();
    await readImage(client, ref, image, sink);
    result.files = [...sink.files]
      .map(([path, size]) => ({ path, size }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
  return result;
}
