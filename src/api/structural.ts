/**
 * Runtime structural validation derived from the schema nodes: types, enums, ranges, required and unknown
 * fields, every problem with its dotted path and the value found. Like the API server's pruning, it also
 * returns the value with every wrong or unknown field removed, null fields dropped and missing required
 * fields stood in for by empty values, so that the rules after it only ever see well-typed, complete data.
 */
import type { Problem } from '../errors.ts';
import type { IntegerNode, SchemaNode, StringNode } from './schema-node.ts';
import { closest, field, isObject, item, problem, show } from './problems.ts';

const INT32_MAX = 2_147_483_647;
const INT64_MAX = Number.MAX_SAFE_INTEGER;

/** Extra text for an unknown field at `path` (e.g. `spec`, `metadata.uid`); undefined for the default. */
export type UnknownFieldHint = (parentPath: string, key: string) => string | undefined;

export interface StructuralResult {
  /** The input with invalid fields removed (undefined when the value itself is invalid). */
  value: unknown;
  problems: Problem[];
}

export function validateStructure(
  value: unknown,
  node: SchemaNode,
  path = '',
  hint: UnknownFieldHint = () => undefined,
): StructuralResult {
  const problems: Problem[] = [];
  const pruned = check(value, node, path, problems, hint);
  return { value: pruned, problems };
}

function check(
  value: unknown,
  node: SchemaNode,
  path: string,
  problems: Problem[],
  hint: UnknownFieldHint,
): unknown {
  switch (node.kind) {
    case 'string':
      return checkString(value, node, path, problems);
    case 'integer':
      return checkInteger(value, node, path, problems);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      problems.push(problem(path, `must be true or false, got ${show(value)}`));
      return undefined;
    case 'opaque':
      if (isObject(value)) return value;
      problems.push(problem(path, `must be an object, got ${show(value)}`));
      return undefined;
    case 'array': {
      if (!Array.isArray(value)) {
        problems.push(problem(path, `must be a list, got ${show(value)}`));
        return undefined;
      }
      if (node.maxItems !== undefined && value.length > node.maxItems) {
        problems.push(problem(path, `must have at most ${node.maxItems} items, got ${value.length}`));
      }
      const out: unknown[] = [];
      value.forEach((element, index) => {
        const checked = check(element, node.items, item(path, index), problems, hint);
        if (checked !== undefined) out.push(checked);
      });
      return out;
    }
    case 'map': {
      if (!isObject(value)) {
        problems.push(problem(path, `must be a map of keys to values, got ${show(value)}`));
        return undefined;
      }
      const out: Record<string, unknown> = {};
      for (const [key, element] of Object.entries(value)) {
        const checked = check(element, node.values, field(path, key), problems, hint);
        if (checked !== undefined) define(out, key, checked);
      }
      return out;
    }
    case 'object': {
      if (!isObject(value)) {
        problems.push(problem(path, `must be an object, got ${show(value)}`));
        return undefined;
      }
      const out: Record<string, unknown> = {};
      for (const [key, element] of Object.entries(value)) {
        const child = Object.hasOwn(node.properties, key) ? node.properties[key] : undefined;
        if (child === undefined) {
          problems.push(
            problem(field(path, key), unknownField(path, key, Object.keys(node.properties), hint)),
          );
          continue;
        }
        if (element === null || element === undefined) continue;
        const checked = check(element, child, field(path, key), problems, hint);
        if (checked !== undefined) define(out, key, checked);
      }
      for (const key of node.required ?? []) {
        const present = value[key];
        if (present === null || present === undefined) {
          problems.push(problem(field(path, key), 'required field is missing'));
        }
        const child = node.properties[key];
        // The rules after this pass may rely on required fields: give them an empty stand-in.
        if (!Object.hasOwn(out, key) && child !== undefined) define(out, key, skeleton(child));
      }
      return out;
    }
  }
}

/** The emptiest value of a node that still has every required field. */
function skeleton(node: SchemaNode): unknown {
  switch (node.kind) {
    case 'string':
      return '';
    case 'integer':
      return node.default ?? node.minimum ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'map':
    case 'opaque':
      return {};
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of node.required ?? []) {
        const child = node.properties[key];
        if (child !== undefined) define(out, key, skeleton(child));
      }
      return out;
    }
  }
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, so a key such as "__proto__" stays data and never reaches the prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function unknownField(path: string, key: string, known: string[], hint: UnknownFieldHint): string {
  const extra = hint(path, key);
  if (extra !== undefined) return `unknown field; ${extra}`;
  const suggestion = closest(key, known);
  if (suggestion !== undefined) return `unknown field; did you mean ${JSON.stringify(suggestion)}?`;
  const list = known.map((k) => JSON.stringify(k)).join(', ');
  return `unknown field; remove it (known fields here: ${list})`;
}

function checkString(value: unknown, node: StringNode, path: string, problems: Problem[]): unknown {
  if (typeof value !== 'string') {
    const quote = typeof value === 'number' || typeof value === 'boolean' ? '; put the value in quotes' : '';
    problems.push(problem(path, `must be a string, got ${show(value)}${quote}`));
    return undefined;
  }
  if (node.enum !== undefined && !node.enum.includes(value)) {
    const choices = node.enum.map((e) => JSON.stringify(e)).join(', ');
    const suggestion = closest(value, node.enum);
    const tail = suggestion !== undefined ? `; did you mean ${JSON.stringify(suggestion)}?` : '';
    problems.push(problem(path, `must be one of ${choices}, got ${show(value)}${tail}`));
    return undefined;
  }
  if (node.minLength !== undefined && value.length < node.minLength) {
    problems.push(problem(path, `must be at least ${node.minLength} characters long, got ${show(value)}`));
    return undefined;
  }
  if (node.maxLength !== undefined && value.length > node.maxLength) {
    problems.push(problem(path, `must be at most ${node.maxLength} characters long`));
    return undefined;
  }
  if (node.pattern !== undefined && !new RegExp(node.pattern).test(value)) {
    problems.push(problem(path, `must match ${node.pattern}, got ${show(value)}`));
    return undefined;
  }
  return value;
}

function checkInteger(value: unknown, node: IntegerNode, path: string, problems: Problem[]): unknown {
  const max = node.format === 'int32' ? INT32_MAX : INT64_MAX;
  const min = node.minimum ?? -max;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const range = node.minimum !== undefined ? ` >= ${node.minimum}` : '';
  const bound = typeof value === 'number' && Number.isInteger(value) && value > max ? ` <= ${max}` : '';
  const unquote = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? '; remove the quotes' : '';
  problems.push(problem(path, `must be an integer${range}${bound}, got ${show(value)}${unquote}`));
  return undefined;
}
