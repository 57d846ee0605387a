/**
 * Which files of a fine-tuning output directory make the adapter image, and the layer that holds them.
 *
 * Kaito's trainer writes the adapter (`adapter_config.json`, `adapter_model.safetensors`, often a model
 * card and tokenizer files) at the top of its output directory, next to `checkpoint-<step>/` and `runs/`
 * directories and its `fine_tuning_completed.txt`. The image takes the top-level regular files (symbolic
 * links to files are followed), leaving out subdirectories (intermediate checkpoints and logs, often
 * larger than the adapter), hidden files and the completion marker. The layer holds them under `data/`,
 * sorted by name, as Kaito's adapter image format says.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SpecError } from '../errors.ts';
import type { TarEntry } from './tar-writer.ts';

/** Kaito's trainer writes this file into the output directory when fine-tuning has finished. */
export const COMPLETION_FILE = 'fine_tuning_completed.txt';
export const ADAPTER_CONFIG = 'adapter_config.json';
const ADAPTER_WEIGHTS = ['adapter_model.safetensors', 'adapter_model.bin'];
/** The directory every adapter image holds its files in (Kaito: `/data`). */
export const DATA_DIR = 'data';

export interface AdapterFile {
  name: string;
  path: string;
  size: number;
}

export interface AdapterDirectory {
  files: AdapterFile[];
  /** Entries left out on purpose (subdirectories, hidden files, the completion marker), for the log. */
  skipped: string[];
}

/** Tensor formats: compressed with the run-length strategy (see gzip-blocks.ts). */
export function isTensorFile(name: string): boolean {
  return /\.(safetensors|bin|pt|pth|ckpt|gguf|npy|h5|onnx)$/i.test(name);
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export async function readAdapterDirectory(dir: string): Promise<AdapterDirectory> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new SpecError(
      [{ path: '', message: `cannot read the adapter directory (${(error as Error).message})` }],
      {
        file: dir,
        cause: error,
      },
    );
  }
  const files: AdapterFile[] = [];
  const skipped: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.name.startsWith('.') || entry.name === COMPLETION_FILE) {
      skipped.push(entry.name);
      continue;
    }
    const info = entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : await stat(path);
    if (info?.isFile()) files.push({ name: entry.name, path, size: info.size });
    else skipped.push(info?.isDirectory() ? `${entry.name}/` : entry.name);
  }
  files.sort((a, b) => byteOrder(a.name, b.name));
  skipped.sort(byteOrder);
  const names = new Set(files.map((f) => f.name));
  const missing = [ADAPTER_CONFIG, ADAPTER_WEIGHTS.join(' or ')].filter((want, i) =>
    i === 0 ? !names.has(want) : !ADAPTER_WEIGHTS.some((w) => names.has(w)),
  );
  if (missing.length > 0) {
    throw new SpecError(
      [
        {
          path: '',
          message: `not a LoRA adapter directory: ${missing.join(' and ')} missing (found ${
            files.map((f) => f.name).join(', ') || 'no files'
          }); point at the fine-tuning output directory`,
        },
      ],
      { file: dir },
    );
  }
  return { files, skipped };
}

/** The layer's entries: `data/`, then `data/<file>` in name order. */
export function layerEntries(files: readonly AdapterFile[]): TarEntry[] {
  return [
    { name: `${DATA_DIR}/`, size: 0, tensor: false },
    ...files.map((f) => ({
      name: `${DATA_DIR}/${f.name}`,
      source: f.path,
      size: f.size,
      tensor: isTensorFile(f.name),
    })),
  ];
}
