/**
 * `bin/kaito-gitops.js`, what `npx kaito-gitops` runs, as a process: on Node 24 it runs the command; on an
 * older Node (as a machine's system Node may be) it says what to do in one line and exits 3, instead of
 * npm's EBADENGINE warning on every call or a SyntaxError from the TypeScript it cannot load.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const bin = join(repo, 'bin', 'kaito-gitops.js');
const run = async (preload: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...preload, bin, '--version']);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

it('runs the command on Node 24', async () => {
  const { version } = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { version: string };
  expect(await run([])).toEqual({ code: 0, stdout: `kaito-gitops ${version}\n`, stderr: '' });
});

it('on an older Node, says it needs Node 24 and how to get it, and exits 3', async () => {
  const older =
    "Object.defineProperty(process.versions, 'node', { value: '20.19.0' });" +
    "Object.defineProperty(process, 'version', { value: 'v20.19.0' });";
  const result = await run(['--import', `data:text/javascript,${encodeURIComponent(older)}`]);
  expect(result).toEqual({
    code: 3,
    stdout: '',
    stderr:
      'kaito-gitops: needs Node 24 or later, not v20.19.0: run it with npx kaito-gitops or npm run in the ' +
      'project (its node devDependency brings Node 24), or install Node 24\n',
  });
});
