/**
 * OCI benchmark: `adapter push` and `adapter pull` of a 100 MiB and a 1 GiB adapter against a local
 * docker-registry, each in its own process, measured by GNU time (wall time and peak RSS). The reference
 * in the same run is skopeo doing the same work:
 *
 * - push: `skopeo copy oci:<layout> docker://...` of a layout whose layer is the same uncompressed tar
 *   (skopeo gzips it on the way, as a registry destination asks), against our files → tar → gzip → upload;
 * - pull: `skopeo copy --dest-decompress docker://... dir:<dir>` (the first step of Kaito's own puller),
 *   against our download → gunzip → untar into files.
 *
 * kaito-gitops runs as in its image: with Node's compile cache filled beforehand (the Dockerfile fills it at
 * build time), so a process does not type-strip and compile its sources at every start.
 *
 * Every run gets a fresh registry on a new port, so neither tool finds the blobs already there (skopeo
 * would otherwise mount them from its blob-info cache). The weights are bfloat16-like (random mantissa,
 * narrow exponent), which gzip shrinks by about a fifth, as it does real adapter weights.
 *
 * `node bench/oci.ts` runs this table alone; `npm run bench` includes it (`-- --no-oci` leaves it out).
 */
import { execFile } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { layerEntries, readAdapterDirectory } from '../src/oci/adapter-files.ts';
import { tarPieces } from '../src/oci/tar-writer.ts';
import { Layout } from '../tests/support/oci-layout.ts';
import { ensureDebianTools } from '../tests/support/debian-package.ts';
import { requireRegistryTools, startRegistry } from '../tests/support/registry.ts';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
const MiB = 1024 * 1024;

export interface OciRow {
  size: string;
  operation: 'push' | 'pull';
  oursSeconds: number;
  oursRssMiB: number;
  skopeoSeconds: number;
  skopeoRssMiB: number;
}

/** Runs a command under GNU time; returns wall seconds and peak RSS in MiB. */
async function measured(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ seconds: number; rssMiB: number }> {
  const { stderr } = await run('time', ['-f', 'BENCH %e %M', command, ...args], { maxBuffer: 64 * MiB, env });
  const match = /BENCH ([\d.]+) (\d+)/.exec(stderr);
  if (match === null) throw new Error(`no timing from ${command}: ${stderr}`);
  return { seconds: Number(match[1]), rssMiB: Math.round(Number(match[2]) / 1024) };
}

/** bfloat16-like weights: random sign and mantissa, exponents in a narrow band. */
async function writeWeights(path: string, bytes: number): Promise<void> {
  const file = await open(path, 'w');
  const chunk = Buffer.alloc(8 * MiB);
  const words = new Uint16Array(chunk.buffer, chunk.byteOffset, chunk.length / 2);
  try {
    for (let written = 0; written < bytes; written += chunk.length) {
      randomFillSync(chunk);
      for (let i = 0; i < words.length; i++) {
        const w = words[i] as number;
        words[i] = (w & 0x807f) | (0x3c00 + ((w >> 1) & 0x0380));
      }
      await file.write(chunk, 0, Math.min(chunk.length, bytes - written));
    }
  } finally {
    await file.close();
  }
}

async function digestFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MiB })) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** An OCI layout holding the adapter's image with the layer as a plain tar (skopeo compresses it). */
async function uncompressedLayout(adapterDir: string, dir: string): Promise<string> {
  const layout = await Layout.create(dir);
  const { files } = await readAdapterDirectory(adapterDir);
  const tarPath = join(dir, 'layer.tar');
  const out = await open(tarPath, 'w');
  for await (const piece of tarPieces(layerEntries(files))) await out.write(piece.data);
  await out.close();
  const digest = await digestFile(tarPath);
  const { size } = await stat(tarPath);
  await rename(tarPath, join(dir, 'blobs', 'sha256', digest.slice(7)));
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size };
  const config = await layout.add({
    mediaType: 'application/vnd.oci.image.config.v1+json',
    data: Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [digest] } })),
  });
  const manifest = await layout.addJson('application/vnd.oci.image.manifest.v1+json', {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config,
    layers: [layer],
  });
  return layout.tag('v1', manifest);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export async function benchOci(sizes = [100 * MiB, 1024 * MiB], runs = 3): Promise<OciRow[]> {
  await requireRegistryTools();
  await ensureDebianTools({ time: 'time' }); // GNU time measures each process's peak RSS
  const root = await mkdtemp(join(tmpdir(), 'kaito-gitops-bench-oci-'));
  const rows: OciRow[] = [];
  const env = { ...process.env, NODE_COMPILE_CACHE: join(root, 'compile-cache') };
  try {
    await run(process.execPath, [MAIN, 'adapter', '--help'], { env });
    for (const bytes of sizes) {
      const label = bytes >= 1024 * MiB ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`;
      const adapterDir = join(root, `adapter-${bytes}`);
      await mkdir(adapterDir);
      await writeFile(
        join(adapterDir, 'adapter_config.json'),
        '{"peft_type":"LORA","r":64,"lora_alpha":128}\n',
      );
      await writeWeights(join(adapterDir, 'adapter_model.safetensors'), bytes);
      const layout = await uncompressedLayout(adapterDir, join(root, `layout-${bytes}`));
      const samples = { push: [] as number[][], pull: [] as number[][] };
      for (let i = 0; i < runs; i++) {
        const registry = await startRegistry();
        try {
          const ours = `${registry.host}/bench/ours:v1`;
          const push = await measured(
            process.execPath,
            [MAIN, 'adapter', 'push', adapterDir, ours, '--plain-http'],
            env,
          );
          const skopeoPush = await measured('skopeo', [
            'copy',
            '-q',
            '--dest-tls-verify=false',
            layout,
            `docker://${registry.host}/bench/skopeo:v1`,
          ]);
          const out = join(root, `pulled-${i}`);
          const pull = await measured(
            process.execPath,
            [MAIN, 'adapter', 'pull', ours, out, '--plain-http'],
            env,
          );
          const skopeoPull = await measured('skopeo', [
            'copy',
            '-q',
            '--src-tls-verify=false',
            '--dest-decompress',
            `docker://${ours}`,
            `dir:${join(root, `skopeo-${i}`)}`,
          ]);
          samples.push.push([push.seconds, push.rssMiB, skopeoPush.seconds, skopeoPush.rssMiB]);
          samples.pull.push([pull.seconds, pull.rssMiB, skopeoPull.seconds, skopeoPull.rssMiB]);
          await rm(out, { recursive: true, force: true });
          await rm(join(root, `skopeo-${i}`), { recursive: true, force: true });
        } finally {
          await registry.close();
        }
      }
      for (const operation of ['push', 'pull'] as const) {
        const column = (k: number) => samples[operation].map((s) => s[k] as number);
        rows.push({
          size: label,
          operation,
          oursSeconds: median(column(0)),
          oursRssMiB: Math.max(...column(1)),
          skopeoSeconds: median(column(2)),
          skopeoRssMiB: Math.max(...column(3)),
        });
      }
      await rm(adapterDir, { recursive: true, force: true });
      await rm(join(root, `layout-${bytes}`), { recursive: true, force: true });
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return rows;
}

export function printOciTable(rows: readonly OciRow[], runs: number): void {
  console.log(
    `| adapter | operation | kaito-gitops (s) | peak RSS (MiB) | skopeo copy (s) | skopeo peak RSS (MiB) | time ratio |`,
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.size} | ${r.operation} | ${r.oursSeconds.toFixed(2)} | ${r.oursRssMiB} | ${r.skopeoSeconds.toFixed(2)} | ${r.skopeoRssMiB} | ${(r.oursSeconds / r.skopeoSeconds).toFixed(2)} |`,
    );
  }
  console.log(
    `\n(median of ${runs} runs each; peak RSS is the highest of the runs; ratio = kaito-gitops / skopeo)`,
  );
}

if (import.meta.main) {
  const runs = Number(process.env['BENCH_OCI_RUNS'] ?? 3);
  console.log(
    '## OCI: adapter push and pull against docker-registry; reference: skopeo copy of the same content\n',
  );
  printOciTable(await benchOci(undefined, runs), runs);
}
