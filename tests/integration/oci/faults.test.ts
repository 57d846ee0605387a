/**
 * What a flaky network and a busy registry do to a push or pull: a proxy in front of docker-registry
 * answers 429 with Retry-After, or cuts an upload or a download half way. The client waits as told,
 * starts a lost upload again, resumes a download with Range, and ends with the same digests as an
 * undisturbed run; when the registry keeps refusing, the error says so with the registry's words.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ANONYMOUS,
  RegistryClient,
  RegistryUnavailableError,
  parseReference,
  pullAdapter,
  pushAdapter,
} from '../../../src/oci/index.ts';
import { fineTuningOutput, type AdapterFixture } from '../../support/oci-layout.ts';
import { startRegistryProxy, type RegistryProxy } from '../../support/registry-proxy.ts';
import { startRegistry, type TestRegistry } from '../../support/registry.ts';

let registry: TestRegistry;
let proxy: RegistryProxy;
let work: string;
let adapter: AdapterFixture;
let sleeps: number[];

const client = (attempts = 5) =>
  new RegistryClient({
    credentials: ANONYMOUS,
    plainHttp: true,
    chunkSize: 2 * 1024 * 1024,
    retry: { attempts, baseDelayMs: 1 },
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });

const TOO_MANY = {
  kind: 'status' as const,
  status: 429,
  headers: { 'retry-after': '7' },
  body: JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'pull rate limit exceeded' }] }),
};

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startRegistryProxy(registry.host);
  work = await mkdtemp(join(tmpdir(), 'kaito-oci-faults-'));
  adapter = await fineTuningOutput(join(work, 'results'), 5 * 1024 * 1024);
});

beforeEach(() => {
  sleeps = [];
  proxy.log.length = 0;
  proxy.rules.length = 0;
});

afterAll(async () => {
  await proxy?.close();
  await registry?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('retries', () => {
  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    await pushAdapter(client(), adapter.dir, parseReference(`${proxy.host}/kaito/busy:v1`));
    proxy.log.length = 0;
    proxy.rules.push({ method: 'GET', path: /\/manifests\//, fault: TOO_MANY, times: 2 });
    const out = join(work, 'busy-out');
    await pullAdapter(client(), parseReference(`${proxy.host}/kaito/busy:v1`), out);
    expect(sleeps).toEqual([7000, 7000]);
    expect(proxy.log.filter((r) => r.path.includes('/manifests/')).map((r) => r.status)).toEqual([
      429, 429, 200,
    ]);
  });

  it('gives up after the last try with the registry’s reason and its Retry-After', async () => {
    proxy.rules.push({ method: 'GET', path: /\/manifests\//, fault: TOO_MANY, times: 10 });
    const failed = pullAdapter(client(3), parseReference(`${proxy.host}/kaito/busy:v1`), join(work, 'never'));
    await expect(failed).rejects.toBeInstanceOf(RegistryUnavailableError);
    await expect(failed).rejects.toMatchObject({
      message: `${proxy.host}/kaito/busy: get manifest v1: 429 TOOMANYREQUESTS: pull rate limit exceeded (gave up after 3 tries)`,
      retryAfterSeconds: 7,
      code: 'TOOMANYREQUESTS',
    });
  });
});

describe('interrupted transfers', () => {
  it('starts a blob upload again when the connection is cut in the middle of a chunk', async () => {
    const clean = await pushAdapter(client(), adapter.dir, parseReference(`${proxy.host}/kaito/clean:v1`));
    proxy.log.length = 0;
    proxy.rules.push({
      method: 'PATCH',
      path: /\/blobs\/uploads\//,
      fault: { kind: 'cut-request', afterBytes: 700_000 },
      times: 1,
    });
    const pushed = await pushAdapter(client(), adapter.dir, parseReference(`${proxy.host}/kaito/cut:v1`));
    expect(pushed.digest).toBe(clean.digest);
    expect(pushed.layer.digest).toBe(clean.layer.digest);
    const cut = proxy.log.findIndex((r) => r.cut === true);
    expect(cut).toBeGreaterThan(-1);
    // docker-registry cancels an upload whose chunk was cut (its offset no longer matches), so the
    // client asks for the upload's status, finds it gone, and opens a new upload.
    const after = proxy.log.slice(cut + 1).map((r) => r.method);
    expect(after.slice(0, 2)).toEqual(['GET', 'POST']);
    expect(after.filter((m) => m === 'PATCH').length).toBeGreaterThanOrEqual(2);
    expect(sleeps.length).toBeGreaterThanOrEqual(1);
  });

  it('resumes a download with Range where the connection broke', async () => {
    await pushAdapter(client(), adapter.dir, parseReference(`${proxy.host}/kaito/resume:v1`));
    proxy.log.length = 0;
    proxy.rules.push({
      method: 'GET',
      path: /\/blobs\/sha256:/,
      fault: { kind: 'cut-response', afterBytes: 1_500_000 },
      times: 1,
    });
    const out = join(work, 'resume-out');
    await pullAdapter(client(), parseReference(`${proxy.host}/kaito/resume:v1`), out);
    expect(await readFile(join(out, 'adapter_model.safetensors'))).toEqual(
      adapter.files['adapter_model.safetensors'],
    );
    const ranges = proxy.log.filter((r) => r.range !== undefined).map((r) => r.range);
    expect(ranges).toHaveLength(1);
    expect(ranges[0]).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(ranges[0]!)![0])).toBeGreaterThan(0);
  });
});
