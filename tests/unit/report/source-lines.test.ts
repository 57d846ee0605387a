import { describe, expect, it } from 'vitest';
import { SourceLines, parsePath } from '../../../src/report/source-lines.ts';

const text = `# comment
apiVersion: v1
kind: ConfigMap
metadata:
  name: one
---
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: two
  annotations:
    kaito.sh/runtime: vllm
inference:
  adapters:
    - source:
        name: a
    - source:
        name: b
      strength: "1.7"
`;

describe('SourceLines', () => {
  const lines = new SourceLines(text);
  it.each([
    [0, 'metadata.name', 5],
    [1, 'metadata.name', 10],
    [1, 'metadata.annotations["kaito.sh/runtime"]', 12],
    [1, 'inference.adapters[1].strength', 19],
    [1, 'inference.adapters[1]', 17],
    // a missing field points at the nearest parent the user has to add it to
    [1, 'resource.instanceType', 7],
    [1, 'inference.preset.name', 13],
    [1, '', 7],
  ])('document %i, %s → line %i', (document, path, line) => {
    expect(lines.lineOf(document, path)).toBe(line);
  });

  it('knows no line for a document that is not there or a path it cannot read', () => {
    expect(lines.lineOf(5, 'metadata')).toBeUndefined();
    expect(lines.lineOf(0, 'a..b')).toBeUndefined();
  });
});

describe('parsePath', () => {
  it.each([
    ['a.b[1]["x/y"].c', ['a', 'b', 1, 'x/y', 'c']],
    ['', []],
    ['metadata.annotations["a\\"b"]', ['metadata', 'annotations', 'a"b']],
  ])('%s', (path, segments) => {
    expect(parsePath(path)).toEqual(segments);
  });
});
