/**
 * The part of JSON Schema draft-07 that `values.schema.json` uses, to check chart values the way Helm
 * does before it renders. Unknown keywords throw, so the schema cannot grow a rule no test evaluates.
 */

type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$schema',
  'title',
  'description',
  'type',
  'enum',
  'const',
  'pattern',
  'minimum',
  'minLength',
  'required',
  'properties',
  'additionalProperties',
  'if',
  'then',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Problems with `value` under `schema`, each prefixed with its path (`image.tag: …`); empty when valid. */
export function checkSchema(schema: Schema, value: unknown, path = ''): string[] {
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key))
      throw new Error(`schema keyword ${key} at ${path || '(root)'} is not supported by this checker`);
  }
  const at = path || '(root)';
  const problems: string[] = [];
  const type = schema['type'] as string | undefined;
  if (type !== undefined) {
    const actual = typeOf(value);
    if (actual !== type && !(type === 'number' && actual === 'integer'))
      return [`${at}: must be ${type}, is ${actual}`];
  }
  if (schema['enum'] !== undefined && !(schema['enum'] as unknown[]).includes(value)) {
    problems.push(`${at}: must be one of ${(schema['enum'] as unknown[]).join(', ')}`);
  }
  if ('const' in schema && schema['const'] !== value)
    problems.push(`${at}: must be ${String(schema['const'])}`);
  if (typeof value === 'string') {
    if (schema['pattern'] !== undefined && !new RegExp(schema['pattern'] as string, 'u').test(value)) {
      problems.push(`${at}: must match ${schema['pattern'] as string}`);
    }
    if (schema['minLength'] !== undefined && value.length < (schema['minLength'] as number)) {
      problems.push(`${at}: must not be empty`);
    }
  }
  if (typeof value === 'number' && schema['minimum'] !== undefined && value < (schema['minimum'] as number)) {
    problems.push(`${at}: must be at least ${schema['minimum'] as number}`);
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
    for (const key of (schema['required'] ?? []) as string[]) {
      if (!(key in object)) problems.push(`${path ? `${path}.` : ''}${key}: is required`);
    }
    for (const [key, child] of Object.entries(object)) {
      const sub = properties[key];
      if (sub !== undefined) problems.push(...checkSchema(sub, child, path ? `${path}.${key}` : key));
      else if (schema['additionalProperties'] === false)
        problems.push(`${path ? `${path}.` : ''}${key}: is not allowed`);
    }
  }
  if (
    schema['if'] !== undefined &&
    checkSchema(schema['if'] as Schema, value, path).length === 0 &&
    schema['then']
  ) {
    problems.push(...checkSchema(schema['then'] as Schema, value, path));
  }
  return problems;
}
