/**
 * Ways a good spec file gets broken in real life (an editor, a merge, a one-character typo), for the
 * tests of "removal only when the source says so": each must keep the workspace's last output, on every
 * route. Each variant turns the bytes of a file holding one Workspace named `name` into broken bytes.
 */
import { MAX_DEPTH, MAX_FILE_BYTES } from '../../src/api/yaml-documents.ts';

export type Breakage = (good: string, name: string) => string | Uint8Array;

const replaceOnce = (text: string, from: string | RegExp, to: string): string => {
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`broken-files: ${String(from)} is not in the spec`);
  return changed;
};

export const BREAKAGES: readonly (readonly [string, Breakage])[] = [
  ['a tab before name:', (t, name) => replaceOnce(t, `  name: ${name}`, `\tname: ${name}`)],
  ['metadata: [', (t) => replaceOnce(t, /^metadata:$/m, 'metadata: [')],
  [
    'git merge-conflict markers',
    (t, name) =>
      replaceOnce(
        t,
        `  name: ${name}\n`,
        `<<<<<<< HEAD\n  name: ${name}\n=======\n  name: ${name}-b\n>>>>>>> topic\n`,
      ),
  ],
  ['name: Ws1 (not a DNS label)', (t, name) => replaceOnce(t, `  name: ${name}`, '  name: Ws1')],
  [
    'namespace: Prod',
    (t, name) => replaceOnce(t, `  name: ${name}\n`, `  name: ${name}\n  namespace: Prod\n`),
  ],
  ['kind: Workspcae', (t) => replaceOnce(t, 'kind: Workspace', 'kind: Workspcae')],
  ['metdata:', (t) => replaceOnce(t, /^metadata:$/m, 'metdata:')],
  ['apiVersion group kiato.sh', (t) => replaceOnce(t, 'apiVersion: kaito.sh/', 'apiVersion: kiato.sh/')],
  ['apiVersion v1 (no group)', (t) => replaceOnce(t, /^apiVersion: kaito\.sh\/\w+$/m, 'apiVersion: v1')],
  ['apiVersion kaito.sh/v1 (unknown version)', (t) => replaceOnce(t, /kaito\.sh\/v1\w+/, 'kaito.sh/v1')],
  ['an empty file (0 bytes)', () => ''],
  ['only comments', () => '# this file was emptied by mistake\n'],
  ['only a document marker', () => '---\n'],
  ['cut in half', (t) => t.slice(0, Math.floor(t.length / 2))],
  ['a list instead of a mapping', (t) => `- ${t.split('\n').join('\n  ')}`],
  ['binary data', (t) => Buffer.concat([Buffer.from(t), Buffer.from([0, 1, 2, 0])])],
  ['not UTF-8', (t) => Buffer.concat([Buffer.from(t), Buffer.from([0xc3, 0x28])])],
  ['over 1 MiB', (t) => `${t}# ${'x'.repeat(MAX_FILE_BYTES)}\n`],
  [
    'nested deeper than the limit',
    (t) => `${t}x: ${'['.repeat(MAX_DEPTH + 1)}${']'.repeat(MAX_DEPTH + 1)}\n`,
  ],
  ['an unknown preset', (t) => replaceOnce(t, /^(\s+name: )phi-3-mini-4k-instruct$/m, '$1phi-5')],
  [
    'a field of the wrong type',
    (t) => replaceOnce(t, /^(\s+)instanceType: (.*)$/m, '$1instanceType: $2\n$1count: two'),
  ],
];
