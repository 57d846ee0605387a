import { describe, expect, it } from 'vitest';
import { isDns1123Label, isDns1123Subdomain } from '../../../src/api/index.ts';
import { labelValueErrors, qualifiedNameErrors } from '../../../src/api/names.ts';

describe('Kubernetes names', () => {
  it.each<[string, boolean, boolean]>([
    ['phi-3', true, true],
    ['a', true, true],
    ['0abc', true, true],
    ['a.b', false, true],
    ['a'.repeat(63), true, true],
    ['a'.repeat(64), false, true],
    ['', false, false],
    ['-a', false, false],
    ['a-', false, false],
    ['A', false, false],
    ['a_b', false, false],
    ['../x', false, false],
    ['a/b', false, false],
    ['a..b', false, false],
    ['..', false, false],
  ])('%j: label %s, subdomain %s', (name, label, subdomain) => {
    expect(isDns1123Label(name)).toBe(label);
    expect(isDns1123Subdomain(name)).toBe(subdomain);
  });

  it.each<[string, boolean]>([
    ['apps', true],
    ['kaito.sh/workspace', true],
    ['node.kubernetes.io/instance-type', true],
    ['a/b/c', false],
    ['/a', false],
    ['bad key', false],
    [`${'a'.repeat(64)}`, false],
  ])('label key %j valid: %s', (key, valid) => {
    expect(qualifiedNameErrors(key).length === 0).toBe(valid);
  });

  it.each<[string, boolean]>([
    ['', true],
    ['phi-3.5_mini', true],
    ['-x', false],
    ['a b', false],
  ])('label value %j valid: %s', (value, valid) => {
    expect(labelValueErrors(value).length === 0).toBe(valid);
  });
});
