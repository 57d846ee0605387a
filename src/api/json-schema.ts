/**
 * The editor JSON Schema (draft 2020-12) for Workspace files, derived from the schema nodes. Unlike the CRD
 * it closes every object (`additionalProperties: false`), so an editor flags a misspelt field as the
 * loader does. It applies only to documents of kind Workspace: the ConfigMaps beside them stay unchecked.
 * Use it with `# yaml-language-server: $schema=<path>/workspace.schema.json`.
 */
import { stringKeywords, type SchemaNode } from './schema-node.ts';
import { workspaceDocumentSchema } from './schema.ts';

export const JSON_SCHEMA_PATH = 'gitops/schema/workspace.schema.json';

const INT32_MAX = 2_147_483_647;

type Json = { [key: string]: unknown };

export function toJsonSchema(node: SchemaNode): Json {
  const out: Json = {};
  if (node.description !== undefined) out['description'] = node.description;
  switch (node.kind) {
    case 'string':
      return { ...out, ...stringKeywords(node) };
    case 'integer':
      out['type'] = 'integer';
      if (node.minimum !== undefined) out['minimum'] = node.minimum;
      if (node.format === 'int32') out['maximum'] = INT32_MAX;
      if (node.default !== undefined) out['default'] = node.default;
      return out;
    case 'boolean':
      out['type'] = 'boolean';
      return out;
    case 'array':
      out['type'] = 'array';
      out['items'] = toJsonSchema(node.items);
      if (node.maxItems !== undefined) out['maxItems'] = node.maxItems;
      return out;
    case 'map':
      out['type'] = 'object';
      out['additionalProperties'] = toJsonSchema(node.values);
      return out;
    case 'opaque':
      out['type'] = 'object';
      return out;
    case 'object':
      out['type'] = 'object';
      out['properties'] = Object.fromEntries(
        Object.entries(node.properties).map(([key, child]) => [key, toJsonSchema(child)]),
      );
      if (node.required !== undefined && node.required.length > 0) out['required'] = [...node.required];
      out['additionalProperties'] = false;
      return out;
  }
}

export function workspaceJsonSchema(): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Kaito Workspace',
    description:
      'A Kaito Workspace (kaito.sh/v1alpha1 or kaito.sh/v1beta1) as kaito-gitops reads it from the source repository. Documents of other kinds are not checked.',
    type: 'object',
    if: { properties: { kind: { const: 'Workspace' } }, required: ['kind'] },
    then: { $ref: '#/$defs/workspace' },
    $defs: { workspace: toJsonSchema(workspaceDocumentSchema) },
  };
}

/** The JSON Schema file's text, byte-stable. */
export function workspaceJsonSchemaText(): string {
  return `${JSON.stringify(workspaceJsonSchema(), null, 2)}\n`;
}
