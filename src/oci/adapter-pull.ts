/**
 * `adapter pull`: the files of an adapter image into a directory, whatever made the image:
 *
 * - an image (its config is an image config): the layers are a root filesystem, applied in order with
 *   whiteouts, and what ends up under `/data` is the adapter. That covers Kaito v0.12's pushed images,
 *   Kaito v0.3-style images (`FROM busybox` + `COPY ... /data/`), scratch images and ours.
 * - an ORAS artifact (any other config type): each layer is a file named by its
 *   `org.opencontainers.image.title`, or a directory (`io.deis.oras.content.unpack`), and lands at that
 *   name; a leading `data/` is dropped so that `oras push ref data/` lands like an image.
 *
 * Nothing half-written is left: the files are written into a staging directory inside the target and
 * moved into place only after every layer arrived with the right digest. The target must be empty (an
 * init container's emptyDir) unless `replace` is set; leftovers of an interrupted pull are cleared.
 */
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KaitoGitopsError, UsageError } from '../errors.ts';
import { RegistryContentError, RegistryError } from './errors.ts';
import {
  DirectorySink,
  UnsafeEntryError,
  normalizeEntry,
  readLayer,
  stripData,
  underData,
  type LayerSink,
} from './layer-reader.ts';
import {
  ORAS_UNPACK_ANNOTATION,
  TITLE_ANNOTATION,
  isImageConfig,
  type Descriptor,
  type ImageManifest,
} from './manifest.ts';
import { formatReference, type ImageReference } from './reference.ts';
import type { RegistryClient, ResolvedImage } from './registry-client.ts';

const STAGING_PREFIX = '.kaito-gitops-pull-';

export type ImageFormat = 'image' | 'artifact';

export interface AdapterFileInfo {
  path: string;
  size: number;
}

export interface PullAdapterOptions {
  /** Replace what the target directory holds. @default false */
  replace?: boolean;
  /** Compressed bytes received so far, of `total`. */
  onProgress?: (done: number, total: number) => void;
}

export interface PulledAdapter {
  /** `registry/repo:tag@sha256:...` of the image manifest that was read. */
  reference: string;
  digest: string;
  format: ImageFormat;
  files: AdapterFileInfo[];
  annotations: Record<string, string>;
}

/** A directory's files could not be written or read (disk full, permissions): not the registry's fault. */
export class AdapterFilesError extends KaitoGitopsError {
  override name = 'AdapterFilesError';
}

export function imageFormat(manifest: ImageManifest): ImageFormat {
  return isImageConfig(manifest.config.mediaType) ? 'image' : 'artifact';
}

/** Reads every layer of an image into the sink, by the rules of its format. */
export async function readImage(
  client: RegistryClient,
  ref: ImageReference,
  image: ResolvedImage,
  sink: LayerSink,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const { layers } = image.manifest;
  const format = imageFormat(image.manifest);
  const total = layers.reduce((sum, l) => sum + l.size, 0);
  let before = 0;
  for (const layer of layers) {
    const bytes = client.blobStream(ref, layer, onProgress && ((done) => onProgress(before + done, total)));
    try {
      if (format === 'image') await readLayer(bytes, underData, sink, true);
      else await readArtifactLayer(bytes, layer, sink);
    } catch (error) {
      if (error instanceof UnsafeEntryError) {
        throw new RegistryContentError(
          `${formatReference(ref)}: layer ${layer.digest}: ${error.message}`,
          ref,
        );
      }
      throw error;
    }
    before += layer.size;
  }
}

async function readArtifactLayer(
  bytes: AsyncIterable<Buffer>,
  layer: Descriptor,
  sink: LayerSink,
): Promise<void> {
  const title = layer.annotations?.[TITLE_ANNOTATION];
  const name = title === undefined ? undefined : normalizeEntry(title);
  if (name === undefined || name === '') {
    throw new UnsafeEntryError(
      title === undefined
        ? `has no ${TITLE_ANNOTATION} annotation, so it is not a file of an ORAS artifact`
        : `has the title "${title}", which is not a safe relative path`,
    );
  }
  if (layer.annotations?.[ORAS_UNPACK_ANNOTATION] === 'true') {
    await readLayer(bytes, (path) => stripData(path), sink, false);
    return;
  }
  const target = stripData(name);
  if (target === '') throw new UnsafeEntryError(`has the title "${title}", which names no file`);
  await sink.file(target, bytes, layer.size);
}

export async function pullAdapter(
  client: RegistryClient,
  ref: ImageReference,
  dir: string,
  options: PullAdapterOptions = {},
): Promise<PulledAdapter> {
  const image = await client.resolveImage(ref);
  const staging = await prepareTarget(dir, options.replace ?? false);
  try {
    await readImage(client, ref, image, new DirectorySink(staging), options.onProgress);
    const files = await listFiles(staging);
    if (files.length === 0) {
      throw new RegistryContentError(
        `${formatReference(ref)}: the image holds no files under /data (Kaito's adapter layout is /data/adapter_config.json and /data/adapter_model.safetensors)`,
        ref,
      );
    }
    await moveIntoPlace(staging, dir, options.replace ?? false);
    return {
      reference: formatReference({ ...ref, digest: image.digest }),
      digest: image.digest,
      format: imageFormat(image.manifest),
      files,
      annotations: image.manifest.annotations ?? {},
    };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof KaitoGitopsError) throw error;
    throw new AdapterFilesError(`${dir}: cannot write the adapter files (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** The files under `root`, relative, sorted. */
export async function listFiles(root: string): Promise<AdapterFileInfo[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files: AdapterFileInfo[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files.push({ path: full.slice(root.length + 1), size: (await stat(full)).size });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Creates the target if needed, clears an interrupted pull's staging, and opens a new one inside it. */
async function prepareTarget(dir: string, replace: boolean): Promise<string> {
  try {
    await mkdir(dir, { recursive: true });
    const present: string[] = [];
    for (const name of await readdir(dir)) {
      if (name.startsWith(STAGING_PREFIX)) await rm(join(dir, name), { recursive: true, force: true });
      else present.push(name);
    }
    if (present.length > 0 && !replace) {
      throw new UsageError(
        `${dir} is not empty (it holds ${present.slice(0, 3).join(', ')}${present.length > 3 ? ', ...' : ''}); pull into an empty directory, or replace what it holds`,
      );
    }
    return await mkdtemp(join(dir, STAGING_PREFIX));
  } catch (error) {
    if (error instanceof UsageError || error instanceof RegistryError) throw error;
    throw new AdapterFilesError(`${dir}: cannot prepare the target directory (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** Swaps the staged files in: old entries go only once the new ones are complete. */
async function moveIntoPlace(staging: string, dir: string, replace: boolean): Promise<void> {
  if (replace) {
    for (const name of await readdir(dir)) {
      if (join(dir, name) !== staging) await rm(join(dir, name), { recursive: true, force: true });
    }
  }
  for (const name of await readdir(staging)) await rename(join(staging, name), join(dir, name));
  await rm(staging, { recursive: true, force: true });
}
