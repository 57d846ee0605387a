/**
 * The vocabulary of the one Workspace schema (`schema.ts`): a few node kinds, just enough to describe
 * Kaito's Workspace. Runtime validation (`structural.ts`), the CRD's openAPIV3Schema (`crd.ts`) and the
 * editor JSON Schema (`json-schema.ts`) are all derived from trees of these nodes.
 */

interface Described {
  description?: string;
}

export interface StringNode extends Described {
  kind: 'string';
  enum?: readonly string[];
  format?: 'date-time';
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  /** Applied by the API server (CRD default) and by normalization. */
  default?: string;
}

export interface IntegerNode extends Described {
  kind: 'integer';
  format: 'int32' | 'int64';
  minimum?: number;
  /** Applied by the API server (CRD default) and by normalization. */
  default?: number;
}

export interface BooleanNode extends Described {
  kind: 'boolean';
}

export interface ArrayNode extends Described {
  kind: 'array';
  items: SchemaNode;
  maxItems?: number;
  /** `x-kubernetes-list-type`. */
  listType?: 'atomic' | 'map';
  /** `x-kubernetes-list-map-keys`, with `listType: map`. */
  listMapKeys?: readonly string[];
}

export interface ObjectNode extends Described {
  kind: 'object';
  properties: Readonly<Record<string, SchemaNode>>;
  required?: readonly string[];
  /** CRD default for the whole object. */
  default?: Readonly<Record<string, unknown>>;
  /** `x-kubernetes-map-type: atomic`. */
  atomic?: boolean;
}

/** An object with free keys and typed values (`matchLabels`, `annotations`). */
export interface MapNode extends Described {
  kind: 'map';
  values: SchemaNode;
}

/** An object whose shape Kubernetes owns (pod template, volume source): kept as written. */
export interface OpaqueNode extends Described {
  kind: 'opaque';
}

export type SchemaNode =
  StringNode | IntegerNode | BooleanNode | ArrayNode | ObjectNode | MapNode | OpaqueNode;

/** A string node's keywords, the same in OpenAPI v3 (the CRD) and JSON Schema (editors). */
export function stringKeywords(node: StringNode): Record<string, unknown> {
  const out: Record<string, unknown> = { type: 'string' };
  if (node.enum !== undefined) out['enum'] = [...node.enum];
  if (node.format !== undefined) out['format'] = node.format;
  if (node.pattern !== undefined) out['pattern'] = node.pattern;
  if (node.minLength !== undefined) out['minLength'] = node.minLength;
  if (node.maxLength !== undefined) out['maxLength'] = node.maxLength;
  if (node.default !== undefined) out['default'] = node.default;
  return out;
}
