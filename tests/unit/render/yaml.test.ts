import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { doubleQuoted, emitYaml, emitYamlDocuments, isPlainSafe } from '../../../src/render/yaml.ts';
import { synthesizeAll } from '../../../src/synth/index.ts';
import { mixedPlans, mixedSourceObjects } from '../../support/plans.ts';

/** What a YAML 1.1 reader (PyYAML-like) and a YAML 1.2 reader (the `yaml` package, core schema) see. */
const readers = [
  ['YAML 1.1', (text: string): unknown => YAML.parse(text, { version: '1.1', uniqueKeys: false })],
  ['YAML 1.2', (text: string): unknown => YAML.parse(text, { version: '1.2', uniqueKeys: false })],
] as const;

// Fragments that trip YAML readers, glued together at random, next to arbitrary strings.
const fragments = [
  '\n',
  ' ',
  '  ',
  ':',
  ': ',
  '#',
  ' #',
  '-',
  '- ',
  '?',
  '0',
  '1',
  '9',
  'e',
  'E',
  '+',
  'x',
  'b',
  'o',
  '_',
  '.',
  'true',
  'no',
  'Yes',
  'ON',
  'null',
  'Null',
  '~',
  '<<',
  '=',
  '.inf',
  '.NaN',
  '\t',
  '"',
  "'",
  '\\',
  '|',
  '>',
  '*',
  '&',
  '!',
  '%',
  '@',
  '`',
  '{',
  '}',
  '[',
  ']',
  ',',
  '\r',
  '\u2028',
  '\u0085',
  '\ufeff',
  '\ud800',
  '\udc00',
  '0x1F',
  '0o17',
  '2024-01-01',
  '...',
  '---',
  'a',
  'é',
  '😀',
  '\u0000',
  '\u007f',
  '\u00a0',
];
const trickyString = fc.oneof(
  fc.array(fc.constantFrom(...fragments), { maxLength: 8 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary' }),
);
const trickyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    trickyString,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(trickyString, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

describe('emitYaml: scalars', () => {
  it.each([
    ['1', '"1"'],
    ['true', '"true"'],
    ['no', '"no"'],
    ['Off', '"Off"'],
    ['y', '"y"'],
    ['null', '"null"'],
    ['~', '"~"'],
    ['0x1F', '"0x1F"'],
    ['0o17', '"0o17"'],
    ['1e3', '"1e3"'],
    ['e9', '"e9"'],
    ['1_000', '"1_000"'],
    ['1:30', '"1:30"'],
    ['.5', '".5"'],
    ['.', '"."'],
    ['.inf', '".inf"'],
    ['2024-01-01', '"2024-01-01"'],
    ['<<', '"<<"'],
    ['', '""'],
    [' lead', '" lead"'],
    ['trail ', '"trail "'],
    ['a: b', '"a: b"'],
    ['ends:', '"ends:"'],
    ['a #b', '"a #b"'],
    ['#x', '"#x"'],
    ['*ref', '"*ref"'],
    ['&anchor', '"&anchor"'],
    ['!tag', '"!tag"'],
    ['-c', '"-c"'],
    ['- x', '"- x"'],
    ['...', '"..."'],
    ['%x', '"%x"'],
    ['@x', '"@x"'],
    ['tab\there', '"tab\\there"'],
    ['\u0085', '"\\x85"'],
    ['\u2028', '"\\u2028"'],
    ['\ufeffbom', '"\\uFEFFbom"'],
    ['\ud800', '"\\uD800"'],
    ['say "hi"', 'say "hi"'],
    ['phi-3', 'phi-3'],
    ['nvidia.com/gpu', 'nvidia.com/gpu'],
    ['500m', '500m'],
    ['16Gi', '16Gi'],
    ['expandable_segments:True', 'expandable_segments:True'],
    ['mcr.microsoft.com/aks/kaito/kaito-base:0.0.5', 'mcr.microsoft.com/aks/kaito/kaito-base:0.0.5'],
    ['/bin/sh', '/bin/sh'],
    ['日本語', '日本語'],
  ])('%j is written %s', (value, expected) => {
    expect(emitYaml({ k: value })).toBe(`k: ${expected}\n`);
  });

  it.each([
    [0, '0'],
    [-3, '-3'],
    [0.5, '0.5'],
    [1e21, '1.0e+21'],
    [1.5e-7, '1.5e-7'],
    [-0, '-0'],
    [true, 'true'],
    [null, 'null'],
  ])('%j is written %s', (value, expected) => {
    expect(emitYaml({ k: value })).toBe(`k: ${expected}\n`);
  });

  it.each([
    ['a\nb', 'k: |-\n  a\n  b\n'],
    ['a\nb\n', 'k: |\n  a\n  b\n'],
    ['a\n\n', 'k: |+\n  a\n\n'],
    ['\n', 'k: |+\n\n'],
    ['  indented\nnext', 'k: |2-\n    indented\n  next\n'],
    ['\n  after blank', 'k: |2-\n\n    after blank\n'],
  ])('multi-line %j is a literal block', (value, expected) => {
    expect(emitYaml({ k: value })).toBe(expected);
  });

  it('double-quotes multi-line strings a block scalar cannot carry', () => {
    expect(emitYaml({ k: 'a\r\nb' })).toBe('k: "a\\r\\nb"\n');
    expect(emitYaml({ k: 'a\n\u2028' })).toBe('k: "a\\n\\u2028"\n');
    // Readers disagree whether a line of only spaces is content or a trailing empty line.
    expect(emitYaml({ k: '\n  ' })).toBe('k: "\\n  "\n');
    expect(emitYaml({ k: 'a\n \nb' })).toBe('k: "a\\n \\nb"\n');
  });

  it('quotes what isPlainSafe refuses and round-trips every doubleQuoted string', () => {
    fc.assert(
      fc.property(trickyString, (text) => {
        for (const [, read] of readers) expect(read(`k: ${doubleQuoted(text)}\n`)).toEqual({ k: text });
        if (isPlainSafe(text))
          for (const [, read] of readers) expect(read(`k: ${text}\n`)).toEqual({ k: text });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('emitYaml: structure', () => {
  it('sorts keys, with apiVersion, kind and metadata first at the top', () => {
    const text = emitYaml({
      spec: { b: 1, a: 2 },
      metadata: { name: 'x' },
      kind: 'K',
      apiVersion: 'v1',
      data: {},
    });
    expect(text).toBe('apiVersion: v1\nkind: K\nmetadata:\n  name: x\ndata: {}\nspec:\n  a: 2\n  b: 1\n');
  });

  it('writes empty collections in flow style and indents sequences under their key', () => {
    expect(emitYaml({ a: [], b: {}, c: [{ x: 1, w: [] }, [1, 2], 'z'] })).toBe(
      'a: []\nb: {}\nc:\n  - w: []\n    x: 1\n  - - 1\n    - 2\n  - z\n',
    );
  });

  it('skips undefined object values and writes undefined array items as null, like JSON', () => {
    expect(emitYaml({ a: undefined, b: [undefined] })).toBe('b:\n  - null\n');
  });

  it('writes keys longer than YAML allows for implicit keys as explicit ones', () => {
    const key = 'k'.repeat(1100);
    const value = { [key]: { a: [1, 'x\ny'] } };
    for (const [, read] of readers) expect(read(emitYaml(value))).toEqual(value);
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => emitYaml({ a: Number.NaN })).toThrow(TypeError);
    expect(() => emitYaml({ a: new Date(0) })).toThrow(/Date/);
    expect(() => emitYaml({ a: () => 1 })).toThrow(TypeError);
    expect(() => emitYaml({ a: 1n })).toThrow(TypeError);
  });

  it('joins documents with ---', () => {
    expect(emitYamlDocuments([{ a: 1 }, { b: 2 }])).toBe('a: 1\n---\nb: 2\n');
  });
});

describe.each(readers)('emitYaml read back by %s', (_name, read) => {
  it('round-trips arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        expect(read(emitYaml(value))).toEqual(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips JSON made of the strings that trip YAML readers', () => {
    fc.assert(
      fc.property(trickyJson, (value) => {
        expect(read(emitYaml(value))).toStrictEqual(value);
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips real manifests', () => {
    for (const workspace of synthesizeAll(mixedPlans(10), mixedSourceObjects(10)).workspaces) {
      for (const object of workspace.objects) expect(read(emitYaml(object))).toStrictEqual(object);
    }
  });
});
