/**
 * Our Workspace CRD is a superset of Kaito v0.12's, so `kubectl apply` of ours over Kaito's (or Helm
 * installing ours where Kaito's is) loses nothing: every field Kaito's schema keeps, ours keeps with the
 * same type and default; ours requires nothing Kaito's does not; enums accept at least Kaito's values;
 * Kaito's printer columns stay. One difference is deliberate and named below.
 */
import { describe, expect, it } from 'vitest';
import { workspaceCrd } from '../../../src/api/index.ts';
import { kaitoWorkspaceCrd } from '../../support/kaito-fixtures.ts';

type Schema = Record<string, unknown>;

/**
 * Where ours differs on purpose. None loses stored data: the default only applies to new objects, and the
 * stricter rules are ones Kaito's webhook or controller also needs (updates to objects stored before are
 * allowed by the API server's validation ratcheting for unchanged fields).
 */
const DELIBERATE: Record<string, string> = {
  // kaito-gitops sizes a Workspace without instanceType (README: "resource.instanceType may be empty");
  // objects Kaito stored keep the value its v1alpha1 defaulting wrote.
  'v1alpha1 resource.instanceType: default': 'sizing picks the SKU',
  '.resource: required by ours only': 'every Workspace needs resource.labelSelector',
  'inference.adapters[].source: required by ours only': 'an adapter is its source',
  'tuning.preset: required by ours only': "Kaito's webhook requires it",
  'tuning.method: required by ours only': "Kaito's webhook requires it",
  "resource.labelSelector.matchExpressions[].operator: enum narrower than Kaito's":
    'metav1.LabelSelector operators',
  "resource.partition.mode: enum narrower than Kaito's": "Kaito's webhook accepts mig and accelerator only",
};
const deliberate = (problem: string): boolean =>
  Object.keys(DELIBERATE).some((d) => problem === d || problem.endsWith(` ${d}`));

const isMap = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function keepsAll(schema: Schema): boolean {
  return schema['x-kubernetes-preserve-unknown-fields'] === true && !isMap(schema['properties']);
}

export function missing(kaito: Schema, ours: Schema, path: string, out: string[] = []): string[] {
  if (keepsAll(ours)) return out;
  if (
    kaito['x-kubernetes-preserve-unknown-fields'] === true &&
    ours['x-kubernetes-preserve-unknown-fields'] !== true
  )
    out.push(`${path}: Kaito keeps unknown fields here, ours prunes them`);
  if (kaito['type'] !== undefined && ours['type'] !== kaito['type'])
    out.push(`${path}: type ${JSON.stringify(ours['type'])}, Kaito's is ${JSON.stringify(kaito['type'])}`);
  if (kaito['default'] !== undefined && JSON.stringify(ours['default']) !== JSON.stringify(kaito['default']))
    out.push(`${path}: default`);
  if (Array.isArray(ours['enum'])) {
    const theirs = Array.isArray(kaito['enum']) ? kaito['enum'] : undefined;
    if (theirs === undefined || theirs.some((v) => !(ours['enum'] as unknown[]).includes(v)))
      out.push(`${path}: enum narrower than Kaito's`);
  }
  const required = Array.isArray(ours['required']) ? ours['required'] : [];
  const theirsRequired = Array.isArray(kaito['required']) ? kaito['required'] : [];
  for (const key of required)
    if (!theirsRequired.includes(key)) out.push(`${path}.${String(key)}: required by ours only`);
  const kaitoProps = isMap(kaito['properties']) ? kaito['properties'] : {};
  const ourProps = isMap(ours['properties']) ? ours['properties'] : {};
  for (const [key, child] of Object.entries(kaitoProps)) {
    const mine = ourProps[key];
    const at = path === '' ? key : `${path}.${key}`;
    if (!isMap(mine)) {
      if (ours['x-kubernetes-preserve-unknown-fields'] !== true) out.push(`${at}: missing`);
    } else if (isMap(child)) missing(child, mine, at, out);
  }
  for (const key of ['items', 'additionalProperties']) {
    if (isMap(kaito[key]) && isMap(ours[key])) missing(kaito[key], ours[key], `${path}[]`, out);
    else if (isMap(kaito[key])) out.push(`${path}: no ${key}`);
  }
  return out;
}

type Version = { name: string; schema: { openAPIV3Schema: Schema }; additionalPrinterColumns?: Schema[] };
const versions = (crd: unknown): Version[] => (crd as { spec: { versions: Version[] } }).spec.versions;

describe("our CRD against Kaito v0.12's", () => {
  const kaito = versions(kaitoWorkspaceCrd());
  const ours = versions(workspaceCrd());

  it('serves the same versions, storing v1beta1', () => {
    expect(ours.map((v) => v.name)).toEqual(kaito.map((v) => v.name));
  });

  it.each(kaito.map((v) => [v.name, v] as const))('%s keeps every field Kaito keeps', (name, version) => {
    const mine = ours.find((v) => v.name === name)!;
    const problems = missing(version.schema.openAPIV3Schema, mine.schema.openAPIV3Schema, '').map(
      (p) => `${name} ${p}`,
    );
    expect(problems.filter((p) => !deliberate(p))).toEqual([]);
  });

  it.each(kaito.map((v) => [v.name, v] as const))('%s keeps Kaito’s printer columns', (name, version) => {
    const mine = ours.find((v) => v.name === name)!.additionalPrinterColumns ?? [];
    for (const column of version.additionalPrinterColumns ?? []) {
      expect(mine).toContainEqual(expect.objectContaining(column));
    }
  });

  it('lists no deliberate difference that is gone', () => {
    const all = kaito.flatMap((version) =>
      missing(
        version.schema.openAPIV3Schema,
        ours.find((v) => v.name === version.name)!.schema.openAPIV3Schema,
        '',
      ).map((p) => `${version.name} ${p}`),
    );
    for (const key of Object.keys(DELIBERATE))
      expect(
        all.some((p) => p.endsWith(key)),
        key,
      ).toBe(true);
  });

  it('finds what a narrower CRD would lose', () => {
    const narrower = structuredClone(ours[1]!.schema.openAPIV3Schema);
    delete ((narrower['properties'] as Schema)['status'] as { properties: Schema }).properties['performance'];
    expect(missing(kaito[1]!.schema.openAPIV3Schema, narrower, '')).toContain('status.performance: missing');
  });
});
