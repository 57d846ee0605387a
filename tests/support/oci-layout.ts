/**
 * Images built by hand the way other tools build them, as OCI image layouts on disk that `skopeo copy
 * oci:<dir>:<tag> docker://...` pushes: layers made with GNU tar and gzip (as Kaito's pusher.sh does),
 * Docker or OCI manifests, image indexes, ORAS-style artifacts. Also a fine-tuning output directory as
 * Kaito's trainer leaves it.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Blob {
  mediaType: string;
  data: Buffer;
  annotations?: Record<string, string>;
}

export interface BlobDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string };
}

export function digestOf(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function describe(blob: Blob): BlobDescriptor {
  return {
    mediaType: blob.mediaType,
    digest: digestOf(blob.data),
    size: blob.data.length,
    ...(blob.annotations && { annotations: blob.annotations }),
  };
}

/** An OCI image layout under `dir` whose index names `top` with the tag. */
export class Layout {
  readonly dir: string;
  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(dir: string): Promise<Layout> {
    await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    return new Layout(dir);
  }

  async add(blob: Blob | Buffer): Promise<BlobDescriptor> {
    const data = Buffer.isBuffer(blob) ? blob : blob.data;
    const digest = digestOf(data);
    await writeFile(join(this.dir, 'blobs', 'sha256', digest.slice(7)), data);
    return Buffer.isBuffer(blob) ? { mediaType: '', digest, size: data.length } : describe(blob);
  }

  /** Stores a manifest (or index) document and returns its descriptor. */
  async addJson(mediaType: string, document: object): Promise<BlobDescriptor> {
    const data = Buffer.from(JSON.stringify(document));
    await this.add(data);
    return { mediaType, digest: digestOf(data), size: data.length };
  }

  async tag(tag: string, top: BlobDescriptor): Promise<string> {
    await writeFile(
      join(this.dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }],
      }),
    );
    return `oci:${this.dir}:${tag}`;
  }
}

/** A tar made by GNU tar of `paths` under `cwd` (the way Kaito's pusher.sh makes its layer). */
export async function gnuTar(cwd: string, paths: string[]): Promise<Buffer> {
  const { stdout } = await run('tar', ['-c', '-f', '-', '-C', cwd, ...paths], {
    encoding: 'buffer',
    maxBuffer: 1 << 30,
  });
  return stdout;
}

export async function gzip9(data: Buffer, out: string): Promise<Buffer> {
  await writeFile(out, data);
  await run('gzip', ['-9', '-n', '-f', out]);
  return readFile(`${out}.gz`);
}

export interface AdapterFixture {
  dir: string;
  /** The adapter files an image should hold, by name. */
  files: Record<string, Buffer>;
}

/**
 * A fine-tuning output directory as Kaito's trainer leaves it: the adapter files at the top, plus a
 * checkpoint directory, a log directory and the completion marker, which an adapter image leaves out.
 */
export async function fineTuningOutput(
  dir: string,
  weightsBytes = 3 * 1024 * 1024 + 17,
): Promise<AdapterFixture> {
  const files: Record<string, Buffer> = {
    'adapter_config.json': Buffer.from(
      '{"peft_type":"LORA","r":8,"lora_alpha":16,"target_modules":["q_proj","v_proj"]}\n',
    ),
    'adapter_model.safetensors': randomBytes(weightsBytes),
    'README.md': Buffer.from('# phi-3 adapter\n'),
  };
  await mkdir(join(dir, 'checkpoint-10'), { recursive: true });
  await mkdir(join(dir, 'runs'), { recursive: true });
  for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data);
  await writeFile(join(dir, 'checkpoint-10', 'adapter_model.safetensors'), randomBytes(1024));
  await writeFile(join(dir, 'runs', 'events.out.tfevents'), 'log');
  await writeFile(join(dir, 'fine_tuning_completed.txt'), 'Fine-Tuning completed\n');
  return { dir, files };
}
