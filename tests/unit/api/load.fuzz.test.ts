/**
 * The loader is total: for any input it returns Workspaces or problems, never throws, and never lets a
 * name or namespace through that is not a DNS-1123 label (they become paths in the rendered tree).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isDns1123Label, loadSources, validateWorkspace } from '../../../src/api/index.ts';
import type { LoadResult } from '../../../src/api/index.ts';
import { INTERNAL_ERROR } from '../../../src/api/load.ts';
import { configMap, inferenceV1alpha1, inferenceV1beta1, tuningV1beta1, yamlOf } from './fixtures.ts';
import type { Doc } from './fixtures.ts';

const RUNS = 300;

function seeds(): Doc[] {
  const withConfig = inferenceV1beta1();
  withConfig.inference.config = 'params';
  return [
    inferenceV1beta1(),
    inferenceV1alpha1(),
    tuningV1beta1(),
    withConfig,
    configMap('params', { 'inference_config.yaml': 'vllm:\n  max-model-len: 4096\n' }),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hf-token' }, data: { HF_TOKEN: 'aGY=' } },
  ];
}

/** Checks the loader's promises on one result. */
function assertTotal(result: LoadResult): void {
  const configMaps = result.objects.filter((o) => o.kind === 'ConfigMap') as never[];
  for (const workspace of result.workspaces) {
    expect(isDns1123Label(workspace.name), workspace.name).toBe(true);
    expect(isDns1123Label(workspace.namespace), workspace.namespace).toBe(true);
    expect(validateWorkspace(workspace, { configMaps })).toEqual([]);
  }
  for (const failure of result.failures) {
    expect(failure.problems.length).toBeGreaterThan(0);
    if (failure.name !== undefined) expect(isDns1123Label(failure.name), failure.name).toBe(true);
    if (failure.namespace !== undefined)
      expect(isDns1123Label(failure.namespace), failure.namespace).toBe(true);
    for (const problem of failure.problems) {
      expect(typeof problem.path).toBe('string');
      expect(problem.message.length).toBeGreaterThan(0);
      expect(problem.message.startsWith(INTERNAL_ERROR), problem.message).toBe(false);
    }
  }
}

const loadText = (content: string): LoadResult => loadSources([{ path: 'fuzz.yaml', content }]);

/** Every path (list of keys) inside a JSON value. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  }
  return out;
}

type Mutation = { kind: 'set'; value: unknown } | { kind: 'delete' } | { kind: 'rename'; to: string };

function mutate(doc: Doc, path: (string | number)[], mutation: Mutation): Doc {
  const copy = structuredClone(doc);
  if (path.length === 0) return mutation.kind === 'set' ? (mutation.value as Doc) : copy;
  let parent: Doc = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Doc;
  const last = path[path.length - 1]!;
  if (mutation.kind === 'set') parent[last] = mutation.value;
  else if (mutation.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (!Array.isArray(parent)) {
    const value = parent[last];
    delete parent[last];
    parent[mutation.to] = value;
  }
  return copy;
}

const nasty = fc.constantFrom(
  '../x',
  '../../etc/passwd',
  'a/b',
  '..',
  '.',
  '',
  'UPPER',
  '-lead',
  'x'.repeat(300),
  'kaito.sh/v1',
  'http://127.0.0.1/',
  'http://[::ffff:10.0.0.1]/',
  '<YOUR IMAGE URL>',
  '__proto__',
  'constructor',
  '1.7',
  'NaN',
);
const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), nasty);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  value.map((v) => ({ kind: 'set' as const, value: v })),
  fc.constant({ kind: 'delete' as const }),
  fc.oneof(nasty, fc.string()).map((to) => ({ kind: 'rename' as const, to })),
);

describe('loader fuzzing', () => {
  it('survives random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => assertTotal(loadText(text))),
      { numRuns: RUNS },
    );
  });

  it('survives random YAML-looking text', () => {
    const token = fc.constantFrom(
      'a',
      ':',
      ' ',
      '\n',
      '-',
      '---\n',
      '&x',
      '*x',
      '<<',
      '[',
      ']',
      '{',
      '}',
      '"',
      "'",
      '!!str',
      '?',
      '|',
      '#',
      '\t',
      'kind: Workspace\n',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 200 }), (tokens) => assertTotal(loadText(tokens.join('')))),
      { numRuns: RUNS },
    );
  });

  it('survives mutated real-looking Workspaces, several mutations at a time', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: seeds().length - 1 }),
        fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 4 }),
        (seedIndex, steps) => {
          const all = seeds();
          let doc = all[seedIndex]!;
          for (const [pick, step] of steps) {
            const paths = pathsOf(doc);
            doc = mutate(doc, paths[pick % paths.length]!, step);
          }
          all[seedIndex] = doc;
          assertTotal(loadText(yamlOf(...all)));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('survives character-level damage to a valid file', () => {
    const text = yamlOf(...seeds());
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: 3 }), fc.string({ maxLength: 3 })), {
          maxLength: 6,
        }),
        (edits) => {
          let damaged = text;
          for (const [at, remove, insert] of edits)
            damaged = damaged.slice(0, at) + insert + damaged.slice(at + remove);
          assertTotal(loadText(damaged));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never returns a name or namespace that could climb out of the output tree', () => {
    fc.assert(
      fc.property(fc.oneof(nasty, fc.string()), fc.oneof(nasty, fc.string()), (name, namespace) => {
        const doc = inferenceV1beta1();
        doc.metadata = { name, namespace };
        const result = loadText(stringify(doc));
        assertTotal(result);
        for (const w of result.workspaces) expect(`${w.namespace}/${w.name}`).not.toContain('..');
      }),
      { numRuns: RUNS },
    );
  });

  it('survives alias bombs of any width and depth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), (width, depth) => {
        let text = 'apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: bomb}\nl0: &l0 [x]\n';
        for (let i = 1; i < depth; i++)
          text += `l${i}: &l${i} [${Array(width)
            .fill(`*l${i - 1}`)
            .join(', ')}]\n`;
        assertTotal(loadText(text));
      }),
      { numRuns: 50 },
    );
  });

  it('survives huge and deeply nested documents', () => {
    const many = inferenceV1beta1();
    many.inference.adapters = Array.from({ length: 5000 }, (_, i) => ({
      source: { name: `a${i}`, image: 'r.io/a:1' },
    }));
    const long = inferenceV1beta1();
    long.metadata.annotations = { note: 'x'.repeat(900_000) };
    for (const text of [
      yamlOf(many),
      yamlOf(long),
      '['.repeat(20_000),
      'a:\n' + ' - '.repeat(5_000),
      '{a: '.repeat(10_000),
    ]) {
      assertTotal(loadText(text));
    }
    expect(loadText(yamlOf(many)).failures[0]?.problems[0]?.message).toBe(
      'Number of Adapters exceeds the maximum limit, maximum of 10 allowed',
    );
  });
});
