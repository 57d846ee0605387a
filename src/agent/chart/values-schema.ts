/**
 * `values.schema.json`: Helm validates values against it before rendering (draft-07), so a typo fails
 * `helm install` with the field named instead of producing a broken agent.
 * Strings that the templates embed in double quotes are limited to characters that need no escaping.
 */
import { CHART_PROVISIONERS, VALUE_DOCS } from './values.ts';

export function valuesSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'kaito-gitops chart values',
    type: 'object',
    additionalProperties: false,
    required: ['provisioner', 'replicas', 'image'],
    properties: {
      provisioner: { description: VALUE_DOCS['provisioner'], type: 'string', enum: [...CHART_PROVISIONERS] },
      replicas: { description: VALUE_DOCS['replicas'], type: 'integer', minimum: 1 },
      image: {
        description: VALUE_DOCS['image'],
        type: 'object',
        additionalProperties: false,
        required: ['repository', 'tag', 'pullPolicy'],
        properties: {
          repository: {
            type: 'string',
            pattern: '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$',
          },
          tag: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$' },
          pullPolicy: { type: 'string', enum: ['IfNotPresent', 'Always', 'Never'] },
        },
      },
    },
  };
}
