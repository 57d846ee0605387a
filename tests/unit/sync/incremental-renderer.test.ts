import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { readCatalog, type Catalog } from '../../../src/catalog/index.ts';
import { hydrate, type HydrateResult, type SourceFile } from '../../../src/pipeline.ts';
import type { Tree } from '../../../src/render/index.ts';
import { IncrementalRenderer, isWorkspaceOnly } from '../../../src/sync/incremental-renderer.ts';

const EXAMPLES = join(import.meta.dirname, '../../../gitops/workspaces');
let catalog: Catalog;
let phi: string;
let llama: string;
let configMap: string;

beforeAll(async () => {
  catalog = await readCatalog();
  phi = await readFile(join(EXAMPLES, 'phi-3-mini.yaml'), 'utf8');
  const [cm = '', ws = ''] = (await readFile(join(EXAMPLES, 'llama-3.3-70b.yaml'), 'utf8')).split(/^---$/m);
  configMap = cm;
  llama = ws;
});

const ws = (text: string, name: string) =>
  text.replace(/^ {2}name: workspace-[a-z0-9-]+$/m, `  name: ${name}`);

it.each([
  ['kind: Workspace\nmetadata: {}\n', true],
  ['# c\n---\nkind: Workspace\n---\nkind: Workspace\n', true],
  ['kind: ConfigMap\n---\nkind: Workspace\n', false],
  ['{kind: Workspace}\n', false],
  ['kind: "Workspace"\n', true],
  ['', false],
])('isWorkspaceOnly(%j) is %s', (text, expected) => {
  expect(isWorkspaceOnly(text)).toBe(expected);
});

it('every step renders exactly what a full render gives, re-rendering only the changed specs where it can', () => {
  const steps: Record<string, string | null>[] = [
    { 'a.yaml': ws(phi, 'a'), 'b.yaml': ws(phi, 'b'), 'cm.yaml': configMap, 'l1.yaml': ws(llama, 'l1') },
    { 'a.yaml': ws(phi, 'a').replace('apps: phi-3', 'apps: phi-3-x') },
    { 'l2.yaml': ws(llama, 'l2') }, // shares the ConfigMap l1's directory holds
    { 'l1.yaml': ws(llama, 'l1').replace('apps: llama', 'apps: llama-x') },
    { 'l1.yaml': null }, // the ConfigMap must move to l2's directory
    { 'b.yaml': ws(phi, 'b').replace('phi-3-mini-4k-instruct', 'no-such-model') },
    { 'a.yaml': null, 'c.yaml': ws(phi, 'c') },
    { 'b.yaml': ws(phi, 'b') },
    { 'f.yaml': ws(phi, 'b') }, // the same name in a second file
    {},
  ];
  const renderer = new IncrementalRenderer(hydrate);
  const source = new Map<string, string>();
  let previous: Tree = new Map();
  for (const [index, change] of steps.entries()) {
    for (const [path, text] of Object.entries(change)) {
      if (text === null) source.delete(path);
      else source.set(path, text);
    }
    const files: SourceFile[] = [...source].map(([path, content]) => ({ path, content }));
    const options = { catalog, previous };
    const incremental = renderer.render(files, options);
    const full = hydrate(files, options);
    expect(shape(incremental), `step ${index}`).toEqual(shape(full));
    expect([...incremental.tree], `step ${index}`).toEqual([...full.tree]);
    renderer.accept(files, options, incremental);
    previous = incremental.tree;
  }
  expect(renderer.counts.partial).toBeGreaterThanOrEqual(3);
  expect(renderer.counts.full).toBeGreaterThanOrEqual(3);
  expect(renderer.counts.reused).toBe(1);
});

it('renders everything when the deploy path no longer holds the accepted tree', () => {
  const renderer = new IncrementalRenderer(hydrate);
  const files = [{ path: 'a.yaml', content: ws(phi, 'a') }];
  const first = renderer.render(files, { catalog });
  renderer.accept(files, { catalog }, first);
  const tampered = new Map(first.tree);
  tampered.set('kustomization.yaml', 'edited by hand\n');
  const again = renderer.render(files, { catalog, previous: tampered });
  expect([...again.tree]).toEqual([...hydrate(files, { catalog, previous: tampered }).tree]);
  expect(renderer.counts).toMatchObject({ full: 2, partial: 0 });
});

function shape(result: HydrateResult) {
  return {
    workspaces: result.workspaces.map((w) => `${w.namespace}/${w.name} ${w.file} ${w.status}`),
    errors: result.errors.map((e) => `${e.file ?? ''}: ${e.message}`).sort(),
  };
}
