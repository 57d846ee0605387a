/**
 * Server-side apply field ownership ("Server-Side Apply" docs): each manager owns a set of field paths,
 * recorded in `metadata.managedFields` as FieldsV1. Applying a field another manager owns with a different
 * value is a conflict unless `force`; fields a manager stops applying are removed unless someone else owns
 * them; ordinary writes (PUT, patches) move the fields they change to their manager (operation Update).
 * Simplification: every list is atomic (owned whole), where the real server merges keyed lists per item.
 */
import type { ErrorTarget } from './errors.ts';
import { applyConflict } from './errors.ts';
import type { Json, JsonMap, KubeObject } from './object.ts';
import { clone, deepEqual, isMap } from './object.ts';

type Path = string[];

/** Fields the server owns: never part of anyone's field set. */
const SERVER_FIELDS = new Set([
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'name',
  'namespace',
]);

function leaves(value: Json, prefix: Path, out: Path[]): Path[] {
  if (isMap(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) {
      if (prefix.length === 1 && prefix[0] === 'metadata' && SERVER_FIELDS.has(k)) continue;
      leaves(v, [...prefix, k], out);
    }
  } else if (prefix.length > 0) {
    out.push(prefix);
  }
  return out;
}

/** The leaf paths an object sets, restricted to `status` (status subresource) or everything else. */
export function fieldSet(obj: KubeObject, subresource?: 'status'): Path[] {
  const out: Path[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if ((k === 'status') !== (subresource === 'status')) continue;
    leaves(v as Json, [k], out);
  }
  return out;
}

function at(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const p of path) cur = isMap(cur) ? cur[p] : undefined;
  return cur;
}

/** Removes a field and then the maps left empty by its removal (an emptied `labels` disappears). */
function removeAt(obj: JsonMap, path: Path): void {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = at(obj, path.slice(0, depth - 1));
    const key = path[depth - 1] ?? '';
    if (!isMap(parent)) return;
    const child = parent[key];
    if (depth < path.length && !(isMap(child) && Object.keys(child).length === 0)) return;
    delete parent[key];
  }
}

function overlaps(a: Path, b: Path): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function applyMerge(target: Json, applied: Json): Json {
  if (!isMap(applied) || !isMap(target)) return clone(applied);
  const out: JsonMap = { ...target };
  for (const [k, v] of Object.entries(applied)) out[k] = applyMerge(out[k] ?? null, v);
  return out;
}

function encode(paths: Path[]): JsonMap {
  const root: JsonMap = {};
  for (const path of paths) {
    let cur = root;
    for (const p of path) {
      const key = `f:${p}`;
      const next = cur[key];
      cur = isMap(next) ? next : (cur[key] = {});
    }
  }
  return root;
}

function decode(fields: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (!isMap(fields)) return out;
  const children = Object.keys(fields).filter((k) => k.startsWith('f:') || k.startsWith('k:'));
  if (children.length === 0 && prefix.length > 0) out.push(prefix);
  for (const k of children) decode(fields[k], [...prefix, k.slice(2)], out);
  return out;
}

interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource: string;
  apiVersion: string;
  time: string;
  paths: Path[];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function readManagers(obj: KubeObject | undefined): Manager[] {
  return (obj?.metadata.managedFields ?? []).map((e) => ({
    manager: str(e['manager']),
    operation: e['operation'] === 'Apply' ? 'Apply' : 'Update',
    subresource: typeof e['subresource'] === 'string' ? e['subresource'] : '',
    apiVersion: str(e['apiVersion']),
    time: str(e['time']),
    paths: decode(e['fieldsV1']),
  }));
}

function writeManagers(managers: Manager[]): JsonMap[] {
  return managers
    .filter((m) => m.paths.length > 0)
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      time: m.time,
      fieldsType: 'FieldsV1',
      fieldsV1: encode(m.paths),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function upsert(managers: Manager[], m: Omit<Manager, 'paths' | 'time'>, paths: Path[]): void {
  const found = managers.find(
    (x) => x.manager === m.manager && x.operation === m.operation && x.subresource === m.subresource,
  );
  if (found) {
    found.paths = paths;
    found.time = now();
    found.apiVersion = m.apiVersion;
  } else {
    managers.push({ ...m, time: now(), paths });
  }
}

function without(paths: Path[], taken: Path[]): Path[] {
  return paths.filter((p) => !taken.some((t) => overlaps(p, t)));
}

export interface ApplyRequest {
  current: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  apiVersion: string;
  subresource?: 'status';
  target: ErrorTarget;
}

/** Computes the object after an apply, with updated managedFields; throws a 409 on unforced conflicts. */
export function serverSideApply(req: ApplyRequest): KubeObject {
  const { current, applied, manager, subresource } = req;
  const managers = readManagers(current);
  const mine = fieldSet(applied, subresource);
  const conflicts: { manager: string; field: string }[] = [];
  const forced: Path[] = [];
  for (const other of managers) {
    if (other.manager === manager && other.operation === 'Apply') continue;
    for (const p of mine) {
      if (!other.paths.some((q) => overlaps(p, q))) continue;
      if (deepEqual(at(current, p), at(applied, p))) continue;
      conflicts.push({ manager: other.manager, field: `.${p.join('.')}` });
      forced.push(p);
    }
  }
  if (conflicts.length > 0 && !req.force) throw applyConflict(req.target, conflicts);
  const self = {
    manager,
    operation: 'Apply' as const,
    subresource: subresource ?? '',
    apiVersion: req.apiVersion,
  };
  const previous = managers.find(
    (m) => m.manager === manager && m.operation === 'Apply' && m.subresource === self.subresource,
  );
  const result: JsonMap = clone((current ?? { metadata: {} }) as unknown as JsonMap);
  for (const p of previous?.paths ?? []) {
    if (mine.some((q) => overlaps(p, q))) continue;
    const sharedWith = managers.some((m) => m !== previous && m.paths.some((q) => overlaps(p, q)));
    if (!sharedWith) removeAt(result, p);
  }
  const scoped: JsonMap = {};
  for (const [k, v] of Object.entries(applied)) {
    if ((k === 'status') === (subresource === 'status')) scoped[k] = v as Json;
  }
  const merged = applyMerge(result, scoped) as unknown as KubeObject;
  for (const m of managers) if (m !== previous) m.paths = without(m.paths, forced);
  upsert(managers, self, mine);
  merged.metadata.managedFields = writeManagers(managers);
  return merged;
}

/** Records a non-apply write: changed fields move to `manager` (operation Update). */
export function recordUpdate(
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string,
  apiVersion: string,
  subresource?: 'status',
): KubeObject {
  const managers = readManagers(before);
  const oldLeaves = before ? fieldSet(before, subresource) : [];
  const newLeaves = fieldSet(after, subresource);
  const changed = [
    ...newLeaves.filter((p) => !deepEqual(at(before, p), at(after, p))),
    ...oldLeaves.filter((p) => at(after, p) === undefined),
  ];
  const out = clone(after);
  if (changed.length === 0 && before) {
    out.metadata.managedFields = before.metadata.managedFields ?? [];
    return out;
  }
  for (const m of managers) m.paths = without(m.paths, changed);
  const self = { manager, operation: 'Update' as const, subresource: subresource ?? '', apiVersion };
  const existing = managers.find(
    (m) => m.manager === manager && m.operation === 'Update' && m.subresource === self.subresource,
  );
  const stillSet = changed.filter((p) => at(after, p) !== undefined);
  upsert(managers, self, [...without(existing?.paths ?? [], stillSet), ...stillSet]);
  out.metadata.managedFields = writeManagers(managers);
  return out;
}
