import { describe, expect, it } from 'vitest';
import { locateProblems } from '../../../src/api/locate.ts';

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

const at = (document: number, path: string) => {
  const [located] = locateProblems(text, document, [{ path, message: 'm' }]);
  return located?.line === undefined ? undefined : [located.line, located.column];
};

describe('locateProblems', () => {
  it.each([
    [0, 'metadata.name', [5, 3]],
    [1, 'metadata.name', [10, 3]],
    [1, 'metadata.annotations["kaito.sh/runtime"]', [12, 5]],
    [1, 'inference.adapters[1].strength', [19, 7]],
    [1, 'inference.adapters[1]', [17, 7]],
    // a missing field points at the nearest parent the user has to add it to
    [1, 'resource.instanceType', [7, 1]],
    [1, 'inference.preset.name', [13, 1]],
    [1, '', [7, 1]],
  ])('document %i, %s → line and column %j', (document, path, where) => {
    expect(at(document, path)).toEqual(where);
  });

  it('keeps a line the problem already has, and locates nothing in a document that is not there', () => {
    const given = { path: 'metadata.name', message: 'm', line: 2, column: 4 };
    expect(locateProblems(text, 1, [given])).toEqual([given]);
    expect(at(5, 'metadata')).toBeUndefined();
  });
});
