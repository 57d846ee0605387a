/**
 * `adapter pull` reads adapter images however they were made. Each image is built by hand as an OCI
 * layout (GNU tar, gzip) the way its real producer builds it and pushed by skopeo, then pulled: all of
 * them give the same files.
 *
 * - Kaito v0.12 (oras push in pkg/workspace/image/pusher.sh): one `tar c data` layer, gzip -9, a config
 *   with only `rootfs.diff_ids`, the `sh.kaito.model.name` annotation, the layer titled `layer.tar.gz`.
 * - Kaito v0.3 style (`FROM busybox` + `COPY adapter /data/`): Docker schema 2 manifests behind a
 *   platform image index (arm64 first, then amd64), a base layer with a shell, and a second layer that
 *   adds the adapter and whites out a file the first one had under /data.
 * - ORAS artifacts: files named by `org.opencontainers.image.title` (the default media type, raw
 *   content), and a directory pushed as one unpackable tar+gzip.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import {
  Layout,
  digestOf,
  fineTuningOutput,
  gnuTar,
  gzip9,
  type AdapterFixture,
} from '../../support/oci-layout.ts';
import { skopeo, startRegistry, type TestRegistry } from '../../support/registry.ts';

const run = promisify(execFile);

let registry: TestRegistry;
let work: string;
let adapter: AdapterFixture;

beforeAll(async () => {
  registry = await startRegistry();
  work = await mkdtemp(join(tmpdir(), 'kaito-oci-formats-'));
  adapter = await fineTuningOutput(join(work, 'results'), 200_000);
  // The adapter files under data/, as the producers see them.
  await mkdir(join(work, 'src', 'data'), { recursive: true });
  for (const [name, data] of Object.entries(adapter.files))
    await writeFile(join(work, 'src', 'data', name), data);
});

afterAll(async () => {
  await registry?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function pushLayout(layout: string, image: string, all = false): Promise<void> {
  await skopeo(
    'copy',
    ...(all ? ['--all'] : []),
    '--dest-tls-verify=false',
    layout,
    `docker://${registry.host}/${image}`,
  );
}

async function expectPulledAdapter(image: string, format: 'image' | 'artifact'): Promise<void> {
  const out = join(work, 'out', image.replace(/[/:]/g, '_'));
  const { code, stdout, stderr } = await runCli(
    ['adapter', 'pull', `${registry.host}/${image}`, out, '--plain-http', '-o', 'json'],
    work,
  );
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(JSON.parse(stdout).format).toBe(format);
  expect((await readdir(out)).sort()).toEqual(Object.keys(adapter.files).sort());
  for (const [name, data] of Object.entries(adapter.files))
    expect(await readFile(join(out, name))).toEqual(data);
}

describe('adapter pull of images other tools made', () => {
  it('reads the Kaito v0.12 format (oras push of a tar c data layer, gzip -9)', async () => {
    const layout = await Layout.create(join(work, 'kaito-v0.12'));
    const tar = await gnuTar(join(work, 'src'), ['data']);
    const layer = await layout.add({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      data: await gzip9(tar, join(work, 'layer.tar')),
      annotations: { 'org.opencontainers.image.title': 'layer.tar.gz' },
    });
    const config = await layout.add({
      mediaType: 'application/vnd.oci.image.config.v1+json',
      data: Buffer.from(`{"rootfs":{"diff_ids":["${digestOf(tar)}"]}}`),
    });
    const manifest = await layout.addJson('application/vnd.oci.image.manifest.v1+json', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: [layer],
      annotations: {
        'org.opencontainers.image.created': '2025-01-01T00:00:00Z',
        'sh.kaito.model.name': 'phi-3-mini-4k-instruct',
      },
    });
    await pushLayout(await layout.tag('v1', manifest), 'kaito/v012:v1');
    await expectPulledAdapter('kaito/v012:v1', 'image');

    const inspected = await runCli(
      ['adapter', 'inspect', `${registry.host}/kaito/v012:v1`, '--plain-http', '-o', 'json'],
      work,
    );
    expect(JSON.parse(inspected.stdout)).toMatchObject({
      format: 'image',
      annotations: { 'sh.kaito.model.name': 'phi-3-mini-4k-instruct' },
      layers: [{ title: 'layer.tar.gz' }],
    });
  });

  it('reads a busybox-style image with /data behind a platform index, applying whiteouts', async () => {
    const layout = await Layout.create(join(work, 'busybox'));
    const base = join(work, 'base');
    await mkdir(join(base, 'bin'), { recursive: true });
    await mkdir(join(base, 'etc'), { recursive: true });
    await mkdir(join(base, 'data'), { recursive: true });
    await writeFile(join(base, 'bin', 'busybox'), 'ELF...');
    await writeFile(join(base, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    await writeFile(join(base, 'data', 'stale.bin'), 'from the base image');
    const baseTar = await gnuTar(base, ['bin', 'etc', 'data']);
    const top = join(work, 'top');
    await mkdir(join(top, 'data'), { recursive: true });
    for (const [name, data] of Object.entries(adapter.files)) await writeFile(join(top, 'data', name), data);
    await writeFile(join(top, 'data', '.wh.stale.bin'), '');
    const topTar = await gnuTar(top, ['data']);
    const layers = [
      await layout.add({
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        data: await gzip9(baseTar, join(work, 'base.tar')),
      }),
      await layout.add({
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        data: await gzip9(topTar, join(work, 'top.tar')),
      }),
    ];
    const platformImage = async (architecture: string) => {
      const config = await layout.add({
        mediaType: 'application/vnd.docker.container.image.v1+json',
        data: Buffer.from(
          JSON.stringify({
            architecture,
            os: 'linux',
            config: { Cmd: ['sh'] },
            rootfs: { type: 'layers', diff_ids: [digestOf(baseTar), digestOf(topTar)] },
          }),
        ),
      });
      const manifest = await layout.addJson('application/vnd.docker.distribution.manifest.v2+json', {
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config,
        layers,
      });
      return { ...manifest, platform: { os: 'linux', architecture } };
    };
    // skopeo's oci: transport finds only OCI-typed descriptors in index.json, so the list is an OCI index.
    const index = await layout.addJson('application/vnd.oci.image.index.v1+json', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [await platformImage('arm64'), await platformImage('amd64')],
    });
    await pushLayout(await layout.tag('0.0.1', index), 'kaito/busybox-adapter:0.0.1', true);
    await expectPulledAdapter('kaito/busybox-adapter:0.0.1', 'image');
  });

  it('reads ORAS file artifacts and ORAS directory artifacts', async () => {
    const files = await Layout.create(join(work, 'oras-files'));
    const empty = await files.add({
      mediaType: 'application/vnd.oci.empty.v1+json',
      data: Buffer.from('{}'),
    });
    const layers = [];
    for (const [name, data] of Object.entries(adapter.files)) {
      layers.push(
        await files.add({
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          data,
          annotations: { 'org.opencontainers.image.title': name },
        }),
      );
    }
    const manifest = await files.addJson('application/vnd.oci.image.manifest.v1+json', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.kaito.adapter.v1',
      config: empty,
      layers,
    });
    await pushLayout(await files.tag('v1', manifest), 'kaito/oras-files:v1');
    await expectPulledAdapter('kaito/oras-files:v1', 'artifact');

    const directory = await Layout.create(join(work, 'oras-dir'));
    const tar = await gnuTar(join(work, 'src'), ['data']);
    const dirLayer = await directory.add({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      data: await gzip9(tar, join(work, 'dir.tar')),
      annotations: {
        'org.opencontainers.image.title': 'data',
        'io.deis.oras.content.unpack': 'true',
        'io.deis.oras.content.digest': digestOf(tar),
      },
    });
    const dirManifest = await directory.addJson('application/vnd.oci.image.manifest.v1+json', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: await directory.add({
        mediaType: 'application/vnd.unknown.config.v1+json',
        data: Buffer.from('{}'),
      }),
      layers: [dirLayer],
    });
    await pushLayout(await directory.tag('v1', dirManifest), 'kaito/oras-dir:v1');
    await expectPulledAdapter('kaito/oras-dir:v1', 'artifact');
  });

  it('refuses an image whose layer climbs out of its directory, and writes nothing', async () => {
    const layout = await Layout.create(join(work, 'evil'));
    const evil = join(work, 'evil-src');
    await mkdir(join(evil, 'data'), { recursive: true });
    await writeFile(join(evil, 'data', 'adapter_config.json'), '{}');
    const { stdout: tar } = await run(
      'tar',
      [
        '-c',
        '-f',
        '-',
        '-C',
        evil,
        '--transform',
        's,^data/adapter_config.json,data/../../escaped.json,',
        'data/adapter_config.json',
      ],
      { encoding: 'buffer' },
    );
    const layer = await layout.add({ mediaType: 'application/vnd.oci.image.layer.v1.tar', data: tar });
    const config = await layout.add({
      mediaType: 'application/vnd.oci.image.config.v1+json',
      data: Buffer.from('{"rootfs":{"type":"layers","diff_ids":[]}}'),
    });
    const manifest = await layout.addJson('application/vnd.oci.image.manifest.v1+json', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: [layer],
    });
    await pushLayout(await layout.tag('v1', manifest), 'kaito/evil:v1');
    const out = join(work, 'evil-out', 'adapter');
    const { code, stderr } = await runCli(
      ['adapter', 'pull', `${registry.host}/kaito/evil:v1`, out, '--plain-http'],
      work,
    );
    expect(code).toBe(3);
    expect(stderr).toMatch(
      /^kaito-gitops adapter: .*kaito\/evil:v1: layer sha256:[0-9a-f]{64}: the layer has an entry "data\/\.\.\/\.\.\/escaped\.json" that climbs out with "\.\."\n$/,
    );
    expect(await readdir(out)).toEqual([]);
  });
});
