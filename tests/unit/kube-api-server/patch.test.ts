import { describe, expect, it } from 'vitest';
import { ApiError } from '../../support/kube-api-server/errors.ts';
import type { Json } from '../../support/kube-api-server/object.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from '../../support/kube-api-server/patch.ts';

describe('merge patch (RFC 7386 appendix A)', () => {
  it.each<[Json, Json, Json]>([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j = %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });
});

describe('JSON patch (RFC 6902)', () => {
  it.each<[string, Json, Json, Json]>([
    [
      'add to an object',
      { foo: 'bar' },
      [{ op: 'add', path: '/baz', value: 'qux' }],
      { foo: 'bar', baz: 'qux' },
    ],
    [
      'insert into an array',
      { foo: ['bar', 'baz'] },
      [{ op: 'add', path: '/foo/1', value: 'qux' }],
      { foo: ['bar', 'qux', 'baz'] },
    ],
    ['append with -', { foo: [1] }, [{ op: 'add', path: '/foo/-', value: 2 }], { foo: [1, 2] }],
    ['remove', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    [
      'remove from an array',
      { foo: ['bar', 'qux', 'baz'] },
      [{ op: 'remove', path: '/foo/1' }],
      { foo: ['bar', 'baz'] },
    ],
    [
      'replace',
      { baz: 'qux', foo: 'bar' },
      [{ op: 'replace', path: '/baz', value: 'boo' }],
      { baz: 'boo', foo: 'bar' },
    ],
    [
      'move',
      { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    ],
    ['copy', { a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }], { a: { b: 1 }, c: { b: 1 } }],
    [
      'escaped pointer',
      { 'a/b': 1, 'm~n': 2 },
      [
        { op: 'replace', path: '/a~1b', value: 3 },
        { op: 'remove', path: '/m~0n' },
      ],
      { 'a/b': 3 },
    ],
    [
      'passing test',
      { a: [1, { b: 2 }] },
      [{ op: 'test', path: '/a', value: [1, { b: 2 }] }],
      { a: [1, { b: 2 }] },
    ],
  ])('%s', (_name, doc, ops, expected) => {
    expect(jsonPatch(doc, ops)).toEqual(expected);
  });

  it.each<[string, Json, Json, string]>([
    ['a failing test', { a: 1 }, [{ op: 'test', path: '/a', value: 2 }], 'testing value /a failed'],
    ['replace of a missing key', { a: 1 }, [{ op: 'replace', path: '/b', value: 2 }], 'missing'],
    ['remove of a missing key', { a: 1 }, [{ op: 'remove', path: '/b' }], 'nonexistent'],
    ['add past the end', { a: [] }, [{ op: 'add', path: '/a/3', value: 1 }], 'invalid index'],
    ['an unknown op', { a: 1 }, [{ op: 'frobnicate', path: '/a' }], 'Unexpected kind'],
  ])('refuses %s with 422 and leaves the document alone', (_name, doc, ops, message) => {
    const before = JSON.stringify(doc);
    let caught: unknown;
    try {
      jsonPatch(doc, ops);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).code).toBe(422);
    expect((caught as ApiError).message).toContain(message);
    expect(JSON.stringify(doc)).toBe(before);
  });
});

describe('strategic merge patch (built-ins, reduced)', () => {
  it('merges keyed lists by their merge key and replaces other lists', () => {
    const target: Json = {
      containers: [{ name: 'a', image: '1', env: [{ name: 'X', value: '1' }] }],
      args: ['x'],
    };
    const patch: Json = {
      containers: [
        { name: 'a', env: [{ name: 'Y', value: '2' }] },
        { name: 'b', image: '2' },
      ],
      args: ['y'],
    };
    expect(strategicMergePatch(target, patch)).toEqual({
      containers: [
        {
          name: 'a',
          image: '1',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
        },
        { name: 'b', image: '2' },
      ],
      args: ['y'],
    });
  });
});
