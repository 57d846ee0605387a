import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatedFiles, workspaceCrd, workspaceJsonSchema } from '../../../src/api/index.ts';
import type { Doc as Json } from './fixtures.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('generated files', () => {
  it.each(generatedFiles().map((f) => [f.path, f.content]))(
    '%s is committed as generated',
    (path, content) => {
      let committed: string;
      try {
        committed = readFileSync(`${root}${path}`, 'utf8');
      } catch {
        committed = '';
      }
      expect(committed === content, `${path} differs from src/api/schema.ts: run \`npm run generate\``).toBe(
        true,
      );
    },
  );

  it('is byte-stable', () => {
    expect(generatedFiles()).toEqual(generatedFiles());
  });
});

describe('the CRD', () => {
  const crd: Json = workspaceCrd();
  const versions = crd.spec.versions as Json[];

  it('is Kaito’s workspaces.kaito.sh with both versions and one schema', () => {
    expect(crd.metadata.name).toBe('workspaces.kaito.sh');
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names).toMatchObject({
      kind: 'Workspace',
      plural: 'workspaces',
      shortNames: ['wk', 'wks'],
      categories: ['workspace'],
    });
    expect(versions.map((v): unknown[] => [v.name, v.served, v.storage])).toEqual([
      ['v1alpha1', true, false],
      ['v1beta1', true, true],
    ]);
    expect(versions[0]!.schema).toEqual(versions[1]!.schema);
    expect(versions.every((v) => JSON.stringify(v.subresources) === '{"status":{}}')).toBe(true);
  });

  it('shows the Kaito columns and the Ready condition as WORKSPACEREADY', () => {
    const columns = versions[1]!.additionalPrinterColumns as Json[];
    expect(columns.map((c): unknown[] => [String(c.name).toUpperCase(), c.jsonPath])).toEqual([
      ['INSTANCE', '.resource.instanceType'],
      ['RESOURCEREADY', '.status.conditions[?(@.type=="ResourceReady")].status'],
      ['INFERENCEREADY', '.status.conditions[?(@.type=="InferenceReady")].status'],
      ['JOBSTARTED', '.status.conditions[?(@.type=="JobStarted")].status'],
      ['WORKSPACESUCCEEDED', '.status.conditions[?(@.type=="WorkspaceSucceeded")].status'],
      ['WORKSPACEREADY', '.status.conditions[?(@.type=="Ready")].status'],
      ['TARGETNODECOUNT', '.status.targetNodeCount'],
      ['STATE', '.status.state'],
      ['OUTPUTIMAGE', '.status.tuning.outputImage'],
      ['AGE', '.metadata.creationTimestamp'],
    ]);
    // The pushed adapter image is long: only `kubectl get workspace -o wide` shows it.
    expect(
      columns.filter((c) => c.priority !== undefined).map((c): unknown[] => [c.name, c.priority]),
    ).toEqual([['OutputImage', 1]]);
  });

  it('defaults status.observedGeneration to -1 so kstatus waits for the first reconcile', () => {
    const status = versions[1]!.schema.openAPIV3Schema.properties.status;
    expect(status.default).toEqual({ observedGeneration: -1 });
    expect(status.properties.observedGeneration).toMatchObject({ type: 'integer', default: -1 });
    expect(status.properties.conditions['x-kubernetes-list-type']).toBe('map');
    expect(Object.keys(status.properties as Json).sort()).toEqual([
      'conditions',
      'observedGeneration',
      'performance',
      'state',
      'targetNodeCount',
      'tuning',
      'workerNodes',
    ]);
    expect(status.properties.tuning.properties.outputImage).toMatchObject({ type: 'string' });
  });

  it('keeps Kubernetes-owned objects as written and applies Kaito’s defaults', () => {
    const props = versions[1]!.schema.openAPIV3Schema.properties;
    expect(props.inference.properties.template['x-kubernetes-preserve-unknown-fields']).toBe(true);
    expect(
      props.tuning.properties.input.properties.volumeSource['x-kubernetes-preserve-unknown-fields'],
    ).toBe(true);
    expect(props.resource.properties.count.default).toBe(1);
    expect(props.resource.properties.instanceType.default).toBeUndefined();
    expect(props.resource.required).toEqual(['labelSelector']);
    expect(props.metadata).toEqual({ type: 'object' });
  });

  it('parses back from the YAML file text', () => {
    const text = generatedFiles()[0]!.content;
    expect(parse(text)).toEqual(crd);
  });
});

describe('the editor JSON Schema', () => {
  const schema: Json = workspaceJsonSchema();
  const workspace = schema.$defs.workspace as Json;

  it('applies to Workspace documents only', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.if).toEqual({ properties: { kind: { const: 'Workspace' } }, required: ['kind'] });
    expect(workspace.properties.apiVersion.enum).toEqual(['kaito.sh/v1alpha1', 'kaito.sh/v1beta1']);
  });

  it('closes every described object but leaves Kubernetes-owned ones open', () => {
    expect(workspace.additionalProperties).toBe(false);
    expect(workspace.properties.resource.additionalProperties).toBe(false);
    expect(workspace.properties.inference.properties.template).toEqual({
      description: expect.any(String),
      type: 'object',
    });
    expect(
      workspace.properties.resource.properties.labelSelector.properties.matchLabels.additionalProperties,
    ).toEqual({
      type: 'string',
    });
  });
});
