/**
 * The `workspaces.kaito.sh` CustomResourceDefinition, derived from the schema nodes. Same group, kind,
 * names and versions as Kaito's (v1alpha1 served, v1beta1 served and stored, one schema, so the API server
 * converts between them without a webhook), plus what GitOps tools need: `status.observedGeneration`
 * defaulting to -1 (kstatus reports InProgress until the agent's first reconcile) and a WORKSPACEREADY
 * column for the `Ready` condition.
 */
import { stringify } from 'yaml';
import { stringKeywords, type SchemaNode } from './schema-node.ts';
import {
  inferenceSchema,
  resourceSchema,
  statusSchema,
  tuningSchema,
  workspaceDocumentSchema,
} from './schema.ts';
import { KAITO_GROUP } from './constants.ts';

/** Where the chart keeps the CRD (Helm installs `crds/` before anything else). */
export const CRD_PATH = 'charts/kaito-gitops/crds/kaito.sh_workspaces.yaml';

type Json = { [key: string]: unknown };

/** Top-level fields of the object that the CRD describes (apiVersion, kind, metadata are the server's). */
const SPEC_FIELDS: readonly string[] = ['resource', 'inference', 'tuning'];

/** One openAPIV3Schema node. */
export function toOpenApi(node: SchemaNode): Json {
  const out: Json = {};
  if (node.description !== undefined) out['description'] = node.description;
  switch (node.kind) {
    case 'string':
      return { ...out, ...stringKeywords(node) };
    case 'integer':
      out['type'] = 'integer';
      out['format'] = node.format;
      if (node.minimum !== undefined) out['minimum'] = node.minimum;
      if (node.default !== undefined) out['default'] = node.default;
      return out;
    case 'boolean':
      out['type'] = 'boolean';
      return out;
    case 'array':
      out['type'] = 'array';
      out['items'] = toOpenApi(node.items);
      if (node.maxItems !== undefined) out['maxItems'] = node.maxItems;
      if (node.listType !== undefined) out['x-kubernetes-list-type'] = node.listType;
      if (node.listMapKeys !== undefined) out['x-kubernetes-list-map-keys'] = [...node.listMapKeys];
      return out;
    case 'map':
      out['type'] = 'object';
      out['additionalProperties'] = toOpenApi(node.values);
      return out;
    case 'opaque':
      out['type'] = 'object';
      out['x-kubernetes-preserve-unknown-fields'] = true;
      return out;
    case 'object': {
      out['type'] = 'object';
      out['properties'] = Object.fromEntries(
        Object.entries(node.properties).map(([key, child]) => [key, toOpenApi(child)]),
      );
      if (node.required !== undefined && node.required.length > 0) out['required'] = [...node.required];
      if (node.default !== undefined) out['default'] = { ...node.default };
      if (node.atomic === true) out['x-kubernetes-map-type'] = 'atomic';
      return out;
    }
  }
}

const conditionColumn = (name: string, type: string): Json => ({
  name,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
});

function version(name: 'v1alpha1' | 'v1beta1', storage: boolean): Json {
  return {
    name,
    served: true,
    storage,
    subresources: { status: {} },
    additionalPrinterColumns: [
      { name: 'Instance', type: 'string', jsonPath: '.resource.instanceType' },
      conditionColumn('ResourceReady', 'ResourceReady'),
      conditionColumn('InferenceReady', 'InferenceReady'),
      conditionColumn('JobStarted', 'JobStarted'),
      conditionColumn('WorkspaceSucceeded', 'WorkspaceSucceeded'),
      conditionColumn('WorkspaceReady', 'Ready'),
      // Kaito v0.12 shows these for v1beta1 only.
      ...(name === 'v1beta1'
        ? [
            { name: 'TargetNodeCount', type: 'integer', jsonPath: '.status.targetNodeCount' },
            { name: 'State', type: 'string', jsonPath: '.status.state' },
          ]
        : []),
      // Hidden unless `-o wide`: long, and only tuning Workspaces have one.
      { name: 'OutputImage', type: 'string', jsonPath: '.status.tuning.outputImage', priority: 1 },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
    schema: {
      openAPIV3Schema: {
        description: workspaceDocumentSchema.description,
        type: 'object',
        properties: {
          apiVersion: {
            description: 'APIVersion defines the versioned schema of this representation of an object.',
            type: 'string',
          },
          kind: {
            description: 'Kind is a string value representing the REST resource this object represents.',
            type: 'string',
          },
          metadata: { type: 'object' },
          resource: toOpenApi(resourceSchema),
          inference: toOpenApi(inferenceSchema),
          tuning: toOpenApi(tuningSchema),
          status: toOpenApi(statusSchema),
        },
        required: (workspaceDocumentSchema.required ?? []).filter((key) => SPEC_FIELDS.includes(key)),
      },
    },
  };
}

/** The CRD object (`apiextensions.k8s.io/v1`). */
export function workspaceCrd(): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `workspaces.${KAITO_GROUP}` },
    spec: {
      group: KAITO_GROUP,
      names: {
        kind: 'Workspace',
        listKind: 'WorkspaceList',
        plural: 'workspaces',
        singular: 'workspace',
        shortNames: ['wk', 'wks'],
        categories: ['workspace'],
      },
      scope: 'Namespaced',
      versions: [version('v1alpha1', false), version('v1beta1', true)],
    },
  };
}

/** The CRD file's text, byte-stable (sorted keys, no line folding). */
export function workspaceCrdYaml(): string {
  const header = '# Generated from src/api/schema.ts by `npm run generate`; do not edit.\n';
  return `${header}${stringify(workspaceCrd(), { sortMapEntries: true, lineWidth: 0 })}`;
}
