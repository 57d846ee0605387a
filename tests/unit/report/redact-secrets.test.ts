import { describe, expect, it } from 'vitest';
import { REDACTED, REDACTED_CHANGED, redactSecrets } from '../../../src/report/redact-secrets.ts';
import { unifiedDiff } from '../../../src/report/unified-diff.ts';

const secret = (token: string, extra = '') => `apiVersion: v1
kind: Secret
metadata:
  name: hf-token
  namespace: default
stringData:
  HF_TOKEN: ${token}
data:
  other: c2VjcmV0LXZhbHVl${extra}
sops:
  version: 3.9.0
`;

describe('redactSecrets', () => {
  it('never lets a Secret value through, and says which key changed', () => {
    const [base, head] = redactSecrets(
      secret('ENC[AES256_GCM,data:aaaa]'),
      secret('ENC[AES256_GCM,data:bbbb]'),
    );
    for (const text of [base, head]) {
      expect(text).not.toContain('aaaa');
      expect(text).not.toContain('bbbb');
      expect(text).not.toContain('c2VjcmV0LXZhbHVl');
      expect(text).toContain('version: 3.9.0');
    }
    expect(base).toContain(`HF_TOKEN: ${REDACTED}`);
    expect(head).toContain(`HF_TOKEN: ${REDACTED_CHANGED}`);
    expect(head).toContain(`other: ${REDACTED}`);
  });

  it('leaves files without a Secret as they are', () => {
    const configMap = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n';
    expect(redactSecrets(configMap, undefined)).toEqual([configMap, undefined]);
  });

  it('shows an unreadable Secret as a placeholder, never its text', () => {
    const [, head] = redactSecrets(undefined, 'kind: Secret\ndata: {a: "x\n');
    expect(head).not.toContain('"x');
  });
});

describe('unifiedDiff', () => {
  it('writes a git-style patch of a rendered file with Secret values masked', () => {
    const patch = unifiedDiff(
      'workspaces/default/x/secret-hf-token.yaml',
      secret('old-value'),
      secret('new-value'),
    );
    expect(patch).toMatch(/^--- a\/workspaces\/default\/x\/secret-hf-token\.yaml\n\+\+\+ b\//);
    expect(patch).toContain(`-  HF_TOKEN: ${REDACTED}`);
    expect(patch).toContain(`+  HF_TOKEN: ${REDACTED_CHANGED}`);
    expect(patch).not.toMatch(/old-value|new-value/);
  });

  it('diffs new and deleted files against /dev/null, and equal ones to nothing', () => {
    expect(unifiedDiff('a.yaml', undefined, 'x: 1\n')).toMatch(
      /^--- \/dev\/null\n\+\+\+ b\/a\.yaml\n@@ -0,0 \+1(,1)? @@\n\+x: 1\n/,
    );
    expect(unifiedDiff('a.yaml', 'x: 1\n', undefined)).toMatch(/^--- a\/a\.yaml\n\+\+\+ \/dev\/null\n/);
    expect(unifiedDiff('a.yaml', 'x: 1\n', 'x: 1\n')).toBe('');
  });
});
