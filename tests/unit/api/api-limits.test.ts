/** Kubernetes API size limits, refused at validation with the spec's path instead of at apply time. */
import { describe, expect, it } from 'vitest';
import { loadSources } from '../../../src/api/index.ts';

const load = (content: string) => loadSources([{ path: 'a.yaml', content }]);

describe('Kubernetes API limits', () => {
  it('refuses a Workspace whose annotations total more than 256 KiB', () => {
    const big = 'x'.repeat(256 * 1024);
    const result = load(`apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: big
  annotations:
    example.com/notes: "${big}"
resource:
  labelSelector: {matchLabels: {a: b}}
inference:
  preset: {name: phi-4-mini-instruct}
`);
    expect(result.failures[0]?.problems).toContainEqual({
      path: 'metadata.annotations',
      message: expect.stringMatching(
        /^keys and values total 262161 bytes, more than the 262144-byte \(256 KiB\) limit/,
      ),
    });
  });

  it('accepts annotations just under the limit', () => {
    const result = load(
      `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: d\n  annotations:\n    k: "${'x'.repeat(256 * 1024 - 1)}"\n`,
    );
    expect(result.failures).toEqual([]);
  });

  it('refuses a ConfigMap over 1 MiB, even when aliases make it so in a smaller file', () => {
    const chunk = 'y'.repeat(200 * 1024);
    const content = `apiVersion: v1
kind: ConfigMap
metadata:
  name: params
data:
  a: &chunk "${chunk}"
  b: *chunk
  c: *chunk
  d: *chunk
  e: *chunk
  f: *chunk
`;
    expect(Buffer.byteLength(content)).toBeLessThan(1024 * 1024);
    expect(load(content).failures[0]?.problems).toEqual([
      {
        path: 'data',
        message: `data and binaryData total ${6 * (200 * 1024 + 1)} bytes, more than the 1048576-byte (1 MiB) limit of a Kubernetes ConfigMap; split it into several ConfigMaps`,
      },
    ]);
  });
});
