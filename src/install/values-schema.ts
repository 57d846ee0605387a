/**
 * `values.schema.json`: Helm validates values against it before rendering (draft-07), so a typo or a
 * missing Azure setting fails `helm install` with the field named instead of producing a broken agent.
 * Strings that the templates embed in double quotes are limited to characters that need no escaping.
 */
import { CHART_PROVISIONERS, REPORT_PROVIDERS, VALUE_DOCS } from './values.ts';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export function valuesSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'kaito-gitops chart values',
    type: 'object',
    additionalProperties: false,
    required: ['provisioner', 'replicas', 'image', 'azure', 'coexist', 'report'],
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
      coexist: { description: VALUE_DOCS['coexist'], type: 'boolean' },
      azure: {
        description: VALUE_DOCS['azure'],
        type: 'object',
        additionalProperties: false,
        required: ['clientId', 'subscriptionId', 'resourceGroup', 'clusterName'],
        properties: {
          clientId: { type: 'string', pattern: `(${UUID})|^$` },
          subscriptionId: { type: 'string', pattern: `(${UUID})|^$` },
          resourceGroup: { type: 'string', pattern: '^[-\\w.()]{0,90}$' },
          clusterName: { type: 'string', pattern: '^([a-zA-Z0-9][a-zA-Z0-9_-]{0,62})?$' },
        },
      },
      report: {
        description: VALUE_DOCS['report'],
        type: 'object',
        additionalProperties: false,
        required: ['provider', 'apiUrl', 'secretName'],
        properties: {
          provider: { type: 'string', enum: [...REPORT_PROVIDERS] },
          apiUrl: { type: 'string', pattern: '^(https?://[^/@\\s"]+[^@\\s"]*)?$' },
          secretName: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$' },
        },
      },
    },
    if: { properties: { provisioner: { const: 'aks' } } },
    then: {
      properties: {
        azure: {
          properties: {
            clientId: { minLength: 1 },
            subscriptionId: { minLength: 1 },
            resourceGroup: { minLength: 1 },
            clusterName: { minLength: 1 },
          },
        },
      },
    },
  };
}
