/**
 * `adapter push` and `adapter pull` against a real docker-registry, cross-checked with skopeo and GNU
 * tar: what we push is a standard image with Kaito's layout, the same files give the same digest, and a
 * re-push of unchanged files sends no blob.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, utimes, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANONYMOUS,
  RegistryClient,
  parseReference,
  pullAdapter,
  pushAdapter,
} from '../../../src/oci/index.ts';
import { runCli } from '../../support/cli.ts';
import { digestOf, fineTuningOutput, type AdapterFixture } from '../../support/oci-layout.ts';
import { startRegistryProxy, type RegistryProxy } from '../../support/registry-proxy.ts';
import { skopeo, startRegistry, type TestRegistry } from '../../support/registry.ts';

const run = promisify(execFile);

let registry: TestRegistry;
let proxy: RegistryProxy;
let work: string;
let adapter: AdapterFixture;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startRegistryProxy(registry.host);
  work = await mkdtemp(join(tmpdir(), 'kaito-oci-'));
  adapter = await fineTuningOutput(join(work, 'results'));
});

afterAll(async () => {
  await proxy?.close();
  await registry?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const client = (chunkSize?: number) =>
  new RegistryClient({ credentials: ANONYMOUS, plainHttp: true, ...(chunkSize && { chunkSize }) });

describe('adapter push', () => {
  it('pushes an image that skopeo reads, with Kaito layout, config and annotation', async () => {
    const image = `${proxy.host}/kaito/phi-3-adapter:v1`;
    const { code, stdout, stderr } = await runCli(
      [
        'adapter',
        'push',
        adapter.dir,
        image,
        '--plain-http',
        '--model',
        'phi-3-mini-4k-instruct',
        '-o',
        'json',
      ],
      work,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const pushed = JSON.parse(stdout);
    expect(pushed.reference).toBe(`${image}@${pushed.digest}`);
    expect(pushed.skipped).toEqual(['checkpoint-10/', 'fine_tuning_completed.txt', 'runs/']);

    const raw = JSON.parse(await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${image}`));
    expect(digestOf(Buffer.from(JSON.stringify(raw)))).toBe(pushed.digest);
    expect(raw).toMatchObject({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json' },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
      annotations: { 'sh.kaito.model.name': 'phi-3-mini-4k-instruct' },
    });

    // skopeo copies it to an OCI layout; GNU tar lists the layer; the config names the tar's digest.
    const layout = join(work, 'layout');
    await skopeo('copy', '--src-tls-verify=false', `docker://${image}`, `oci:${layout}:v1`);
    const blob = (d: string) => join(layout, 'blobs', 'sha256', d.slice(7));
    const { stdout: listing } = await run('tar', ['-tvzf', blob(raw.layers[0].digest)]);
    expect(
      listing
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/).slice(-1)[0]),
    ).toEqual(['data/', 'data/README.md', 'data/adapter_config.json', 'data/adapter_model.safetensors']);
    expect(listing).toMatch(/^-rw-r--r-- 0\/0 .* 1970-01-01 00:00 data\/README.md$/m);
    const config = JSON.parse(await readFile(blob(raw.config.digest), 'utf8'));
    expect(Object.keys(config)).toEqual(['rootfs']); // no os/architecture: every platform accepts it
    const { stdout: tarBytes } = await run('gzip', ['-dc', blob(raw.layers[0].digest)], {
      encoding: 'buffer',
      maxBuffer: 64 << 20,
    });
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [digestOf(tarBytes)] });
  });

  it('gives the same digests for the same files anywhere, and re-pushes without sending a blob', async () => {
    const first = await pushAdapter(client(), adapter.dir, parseReference(`${proxy.host}/kaito/repro:a`));
    // A copy elsewhere, with other times and permissions, to another tag.
    const copy = join(work, 'copy');
    await cp(adapter.dir, copy, { recursive: true });
    await utimes(join(copy, 'adapter_config.json'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    await chmod(join(copy, 'adapter_model.safetensors'), 0o600);
    const second = await pushAdapter(client(), copy, parseReference(`${proxy.host}/kaito/repro:b`));
    expect(second.digest).toBe(first.digest);
    expect(second.layer.digest).toBe(first.layer.digest);

    proxy.log.length = 0;
    const again = await pushAdapter(client(), copy, parseReference(`${proxy.host}/kaito/repro:a`));
    expect(again.digest).toBe(first.digest);
    expect(again.layer.uploaded).toBe(false);
    expect(again.manifestWritten).toBe(false);
    const writes = proxy.log.filter((r) => ['POST', 'PATCH', 'PUT'].includes(r.method));
    expect(writes).toEqual([]);
  });

  it('mounts the layer from another repository (--from) instead of uploading it', async () => {
    const staging = `${proxy.host}/staging/phi-3:rc1`;
    await runCli(['adapter', 'push', adapter.dir, staging, '--plain-http'], work);
    proxy.log.length = 0;
    const promoted = await runCli(
      [
        'adapter',
        'push',
        adapter.dir,
        `${proxy.host}/prod/phi-3:1.0`,
        '--plain-http',
        '--from',
        staging,
        '-o',
        'json',
      ],
      work,
    );
    expect(promoted.code).toBe(0);
    expect(JSON.parse(promoted.stdout).layer.uploaded).toBe(false);
    const posts = proxy.log
      .filter((r) => r.method === 'POST')
      .map((r) => [r.path.split('?')[1] ?? '', r.status]);
    expect(posts[0]).toEqual([
      expect.stringMatching(/^mount=sha256%3A[0-9a-f]{64}&from=staging%2Fphi-3$/),
      201,
    ]);
    expect(proxy.log.filter((r) => r.method === 'PATCH')).toEqual([]);
    const pulled = await runCli(
      ['adapter', 'pull', `${proxy.host}/prod/phi-3:1.0`, join(work, 'prod-out'), '--plain-http'],
      work,
    );
    expect(pulled.code).toBe(0);
  });

  it('uploads a large layer in PATCH chunks and reads it back', async () => {
    proxy.log.length = 0;
    const big = await fineTuningOutput(join(work, 'big'), 5 * 1024 * 1024);
    const pushed = await pushAdapter(
      client(1024 * 1024),
      big.dir,
      parseReference(`${proxy.host}/kaito/chunks:v1`),
    );
    const patches = proxy.log.filter((r) => r.method === 'PATCH');
    expect(patches.length).toBeGreaterThanOrEqual(4);
    expect(patches.every((p) => p.status === 202)).toBe(true);
    const out = join(work, 'chunks-out');
    const pulled = await pullAdapter(client(), parseReference(`${proxy.host}/kaito/chunks:v1`), out);
    expect(pulled.digest).toBe(pushed.digest);
    expect(await readFile(join(out, 'adapter_model.safetensors'))).toEqual(
      big.files['adapter_model.safetensors'],
    );
  });

  it('refuses a directory that is not a fine-tuning output, naming what is missing', async () => {
    const empty = join(work, 'empty');
    await mkdir(empty);
    const { code, stderr } = await runCli(
      ['adapter', 'push', empty, `${proxy.host}/kaito/x:v1`, '--plain-http'],
      work,
    );
    expect(code).toBe(1);
    expect(stderr).toBe(
      `${empty}: not a LoRA adapter directory: adapter_config.json and adapter_model.safetensors or adapter_model.bin missing (found no files); point at the fine-tuning output directory\n`,
    );
  });
});

describe('adapter pull', () => {
  it('writes the adapter files, only them, and refuses a non-empty directory unless --replace', async () => {
    const image = `${proxy.host}/kaito/phi-3-adapter:v1`;
    const out = join(work, 'adapter-out');
    const first = await runCli(['adapter', 'pull', image, out, '--plain-http'], work);
    expect(first.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      'README.md',
      'adapter_config.json',
      'adapter_model.safetensors',
    ]);
    for (const [name, data] of Object.entries(adapter.files))
      expect(await readFile(join(out, name))).toEqual(data);

    const again = await runCli(['adapter', 'pull', image, out, '--plain-http'], work);
    expect(again.code).toBe(2);
    expect(again.stderr.split('\n')[0]).toBe(
      `kaito-gitops adapter: ${out} is not empty (it holds README.md, adapter_config.json, adapter_model.safetensors); pull into an empty directory, or replace what it holds`,
    );
    const replaced = await runCli(['adapter', 'pull', image, out, '--plain-http', '--replace'], work);
    expect(replaced.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      'README.md',
      'adapter_config.json',
      'adapter_model.safetensors',
    ]);
  });

  it('inspects digest, format, annotations and files', async () => {
    const image = `${proxy.host}/kaito/phi-3-adapter:v1`;
    const { code, stdout } = await runCli(['adapter', 'inspect', image, '--plain-http', '-o', 'json'], work);
    expect(code).toBe(0);
    const inspected = JSON.parse(stdout);
    expect(inspected).toMatchObject({
      format: 'image',
      annotations: { 'sh.kaito.model.name': 'phi-3-mini-4k-instruct' },
      files: [
        { path: 'README.md', size: adapter.files['README.md']!.length },
        { path: 'adapter_config.json', size: adapter.files['adapter_config.json']!.length },
        { path: 'adapter_model.safetensors', size: adapter.files['adapter_model.safetensors']!.length },
      ],
    });
    const text = await runCli(['adapter', 'inspect', image, '--plain-http'], work);
    expect(text.stdout).toContain(`digest     ${inspected.digest}\n`);
    expect(text.stdout).toContain('  sh.kaito.model.name=phi-3-mini-4k-instruct\n');
  });

  it('says which image is missing, in one line, exit 3', async () => {
    const { code, stderr } = await runCli(
      ['adapter', 'pull', `${proxy.host}/kaito/nothing:v9`, join(work, 'none'), '--plain-http'],
      work,
    );
    expect(code).toBe(3);
    expect(stderr).toBe(
      `kaito-gitops adapter: ${proxy.host}/kaito/nothing: get manifest v9: 404 MANIFEST_UNKNOWN: manifest unknown\n`,
    );
  });
});
