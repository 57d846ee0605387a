/**
 * The non-apply patch types: JSON merge patch (RFC 7386), JSON patch (RFC 6902, `test` included) and a
 * strategic merge patch reduced to what built-in pod templates need (see README: simplified).
 */
import { ApiError } from './errors.ts';
import type { Json, JsonMap } from './object.ts';
import { clone, deepEqual, isMap } from './object.ts';

/** RFC 7386: maps merge recursively, `null` deletes, everything else (lists included) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isMap(patch)) return clone(patch);
  const out: JsonMap = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key] ?? null, value);
  }
  return out;
}

/** A JSON patch failure, answered 422 as the apiserver does for a patch that cannot be applied. */
function patchFailed(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') throw patchFailed('path is missing or not a string');
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchFailed(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer.slice(1).split('/').map(unescape);
}

/** Returns the container holding the last token of `path`, failing like evanphx/json-patch when absent. */
function parentOf(doc: Json, tokens: string[], pointer: string): Json {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(t)] : isMap(cur) ? cur[t] : undefined;
    if (next === undefined) throw patchFailed(`doc is missing path: "${pointer}": missing value`);
    cur = next;
  }
  return cur;
}

function getAt(doc: Json, pointer: unknown): Json {
  const tokens = parsePointer(pointer);
  let cur: Json | undefined = doc;
  for (const t of tokens) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isMap(cur) ? cur[t] : undefined;
    if (cur === undefined) throw patchFailed(`doc is missing path: "${String(pointer)}": missing value`);
  }
  return cur;
}

function arrayIndex(arr: Json[], token: string, forAdd: boolean, pointer: string): number {
  if (forAdd && token === '-') return arr.length;
  const i = Number(token);
  const max = forAdd ? arr.length : arr.length - 1;
  if (!/^\d+$/.test(token) || i > max)
    throw patchFailed(`Unable to access invalid index: ${token} in "${pointer}"`);
  return i;
}

function addAt(doc: Json, pointer: string, value: Json): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return clone(value);
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] ?? '';
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true, pointer), 0, clone(value));
  else if (isMap(parent)) parent[last] = clone(value);
  else throw patchFailed(`doc is missing path: "${pointer}": missing value`);
  return doc;
}

function removeAt(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] ?? '';
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, false, pointer), 1);
  else if (isMap(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw patchFailed(`Unable to remove nonexistent key: ${last}: missing value`);
  return doc;
}

/** RFC 6902 on a copy of `doc`; the first failing operation aborts the whole patch. */
export function jsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops))
    throw new ApiError(400, 'BadRequest', 'json patch must be a JSON array of operations');
  let out = clone(doc);
  for (const op of ops) {
    if (!isMap(op)) throw patchFailed('json patch operation must be an object');
    const path = op['path'];
    if (typeof path !== 'string') throw patchFailed('operation missing path');
    switch (op['op']) {
      case 'add':
        out = addAt(out, path, op['value'] ?? null);
        break;
      case 'remove':
        out = removeAt(out, path);
        break;
      case 'replace':
        getAt(out, path);
        out = addAt(removeAt(out, path), path, op['value'] ?? null);
        break;
      case 'move': {
        const value = getAt(out, op['from']);
        out = addAt(removeAt(out, typeof op['from'] === 'string' ? op['from'] : ''), path, value);
        break;
      }
      case 'copy':
        out = addAt(out, path, getAt(out, op['from']));
        break;
      case 'test': {
        let actual: Json | undefined;
        try {
          actual = getAt(out, path);
        } catch {
          actual = undefined;
        }
        if (!deepEqual(actual, op['value'] ?? null))
          throw patchFailed(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw patchFailed(`Unexpected kind: ${JSON.stringify(op['op'] ?? null)}`);
    }
  }
  return out;
}

/** List fields merged by key in a strategic merge patch (the `patchMergeKey` of the built-in types). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  conditions: 'type',
};

/** Strategic merge patch for built-in kinds: a merge patch whose keyed lists merge item by item. */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isMap(patch)) return clone(patch);
  const out: JsonMap = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    const mergeKey = MERGE_KEYS[key];
    const current = out[key];
    if (value === null) delete out[key];
    else if (mergeKey && Array.isArray(value) && Array.isArray(current))
      out[key] = mergeList(current, value, mergeKey);
    else out[key] = strategicMergePatch(current ?? null, value);
  }
  return out;
}

function mergeList(current: Json[], patch: Json[], mergeKey: string): Json[] {
  const out = [...current];
  for (const item of patch) {
    const key = isMap(item) ? item[mergeKey] : undefined;
    const at = key === undefined ? -1 : out.findIndex((c) => isMap(c) && deepEqual(c[mergeKey], key));
    if (at >= 0) out[at] = strategicMergePatch(out[at] ?? null, item);
    else out.push(clone(item));
  }
  return out;
}
