import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blobOf, directoryOf } from '../../../src/sync/git-objects.ts';
import { withHead } from '../../../src/sync/git-http-client.ts';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'git-objects-'));
  await run('git', ['init', '-q', dir]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('blob and tree ids are the ones git computes, in git order (a/ sorts after a.b and before a0)', async () => {
  expect(blobOf('hello\n').oid).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  expect(directoryOf(new Map()).oid).toBe('4b825dc642cb6eb9a060e54bf8d69288fbee4904');
  const tree = new Map([
    ['a.b', 'x\n'],
    ['a/c.yaml', 'c\n'],
    ['a0', 'y\n'],
    ['z/deep/k.yaml', 'kind: Foo\n'],
  ]);
  const index = join(dir, 'index');
  const env = { ...process.env, GIT_INDEX_FILE: index };
  for (const [path, text] of tree) {
    const { stdout } = await run('sh', [
      '-c',
      `printf '%s' "$0" | git -C "$1" hash-object -w --stdin`,
      text,
      dir,
    ]);
    await run('git', ['-C', dir, 'update-index', '--add', '--cacheinfo', `100644,${stdout.trim()},${path}`], {
      env,
    });
  }
  const { stdout } = await run('git', ['-C', dir, 'write-tree'], { env });
  expect(directoryOf(tree).oid).toBe(stdout.trim());
});

it('refuses paths that escape or collide', () => {
  expect(() => directoryOf(new Map([['../x', '']]))).toThrow('refusing tree path');
  expect(() =>
    directoryOf(
      new Map([
        ['a', ''],
        ['a/b', ''],
      ]),
    ),
  ).toThrow('both a file and a directory');
});

it('withHead adds a HEAD line when the advertisement has none, and leaves others alone', () => {
  const pkt = (s: string) => (s.length + 4).toString(16).padStart(4, '0') + s;
  const oid = 'b'.repeat(40);
  const headless = Buffer.from(
    pkt('# service=git-upload-pack\n') +
      '0000' +
      pkt(`${oid} refs/heads/deploy\0multi_ack side-band-64k\n`) +
      '0000',
  );
  const fixed = withHead(headless).toString();
  expect(fixed).toContain(`${oid} HEAD\0multi_ack side-band-64k\n`);
  expect(fixed).toContain(pkt(`${oid} refs/heads/deploy\n`));
  const withHeadAlready = Buffer.from(
    pkt('# service=git-upload-pack\n') + '0000' + pkt(`${oid} HEAD\0caps\n`) + '0000',
  );
  expect(withHead(withHeadAlready).equals(withHeadAlready)).toBe(true);
});
