/**
 * What the apiserver does with a custom resource and its CRD's structural schema (apiextensions-apiserver
 * `pkg/apiserver/schema/pruning` and `schema/defaulting`), on every write (the request, decoded at the
 * request's version) and every read (decoded from storage at the version asked for):
 *
 * - **pruning**: fields the schema does not specify are dropped, except under
 *   `x-kubernetes-preserve-unknown-fields: true`; `apiVersion`, `kind`, `metadata` survive at the root
 *   and in `x-kubernetes-embedded-resource` objects; `null` is dropped where the field is not `nullable`;
 * - **defaulting**: a missing property with a `default` gets a copy of it, then defaults apply inside
 *   what is there (including what was just defaulted).
 *
 * Validation (types, enums, patterns, CEL rules) is not done: see README.
 */
import type { Json, JsonMap } from './object.ts';
import { clone, isMap } from './object.ts';

/** An `openAPIV3Schema` node of a structural schema. */
export type Schema = JsonMap;

const TYPE_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

function child(schema: Schema, key: string): Schema | undefined {
  const properties = schema['properties'];
  if (isMap(properties) && isMap(properties[key])) return properties[key];
  const additional = schema['additionalProperties'];
  return isMap(additional) ? additional : undefined;
}

function keepsUnknown(schema: Schema): boolean {
  return schema['x-kubernetes-preserve-unknown-fields'] === true || schema['additionalProperties'] === true;
}

function prune(value: Json, schema: Schema, root: boolean): Json | undefined {
  if (value === null) return schema['nullable'] === true ? null : undefined;
  if (Array.isArray(value)) {
    const items = schema['items'];
    if (!isMap(items)) return value;
    return value.map((item) => prune(item, items, false) ?? null);
  }
  if (!isMap(value)) return value;
  const embedded = root || schema['x-kubernetes-embedded-resource'] === true;
  const out: JsonMap = {};
  for (const [key, item] of Object.entries(value)) {
    if (embedded && TYPE_FIELDS.has(key)) {
      out[key] = item;
      continue;
    }
    const itemSchema = child(schema, key);
    if (itemSchema !== undefined) {
      const pruned = prune(item, itemSchema, false);
      if (pruned !== undefined) out[key] = pruned;
    } else if (keepsUnknown(schema)) out[key] = item;
  }
  return out;
}

function applyDefaults(value: Json, schema: Schema): void {
  if (Array.isArray(value)) {
    const items = schema['items'];
    if (isMap(items)) for (const item of value) applyDefaults(item, items);
    return;
  }
  if (!isMap(value)) return;
  const properties = schema['properties'];
  if (isMap(properties)) {
    for (const [key, property] of Object.entries(properties)) {
      if (isMap(property) && value[key] === undefined && property['default'] !== undefined)
        value[key] = clone(property['default']);
    }
  }
  for (const [key, item] of Object.entries(value)) {
    const itemSchema = child(schema, key);
    if (itemSchema !== undefined) applyDefaults(item, itemSchema);
  }
}

/** The object as the apiserver keeps and serves it under `schema`: pruned, then defaulted. A copy. */
export function pruneAndDefault<T extends JsonMap>(object: T, schema: Schema): T {
  const out = prune(clone(object), schema, true) as T;
  applyDefaults(out, schema);
  return out;
}
