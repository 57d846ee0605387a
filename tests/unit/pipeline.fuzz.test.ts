import fc from 'fast-check';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readCatalog, type Catalog } from '../../src/catalog/index.ts';
import { hydrate } from '../../src/pipeline.ts';
import { writeTree } from '../../src/render/index.ts';

let catalog: Catalog;
let scratch: string;
beforeAll(async () => {
  catalog = await readCatalog();
  scratch = await mkdtemp(join(tmpdir(), 'kaito-fuzz-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Mostly valid values, sometimes hostile or random ones: both the validator and the renderer get work. */
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: other, weight: 1 });

const hostile = fc.constantFrom('../escape', '..', '/etc', 'a/b', 'UPPER', '', 'a'.repeat(70), 'x\u0000y');
const name = mostly(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/),
  fc.oneof(hostile, fc.string({ maxLength: 12 })),
);
const preset = mostly(
  fc.constantFrom('phi-3-mini-4k-instruct', 'llama-3.3-70b-instruct', 'falcon-7b', 'gpt-oss-20b', 'phi-4'),
  fc.oneof(fc.constantFrom('phi-2', 'falcon-40b'), fc.string({ maxLength: 10 })),
);
const instanceType = mostly(
  fc.constantFrom('Standard_NC24ads_A100_v4', 'Standard_NC48ads_A100_v4', 'Standard_NC96ads_A100_v4', ''),
  fc.oneof(fc.constantFrom('Standard_NC6s_v3', 'p5.48xlarge', 'Standard_NX1'), fc.string({ maxLength: 10 })),
);
const anything = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));
const adapter = fc.record({
  source: fc.record({
    name,
    image: mostly(fc.constant('myregistry.azurecr.io/adapters/a:1'), fc.string({ maxLength: 20 })),
  }),
  strength: mostly(fc.constantFrom('1.0', '0.5'), anything),
});

const workspace = fc.record({
  apiVersion: mostly(fc.constantFrom('kaito.sh/v1alpha1', 'kaito.sh/v1beta1'), fc.constant('kaito.sh/v1')),
  kind: mostly(fc.constant('Workspace'), fc.constantFrom('ConfigMap', 'Secret', 'Deployment')),
  metadata: fc.record({ name, namespace: fc.option(name, { nil: undefined }) }, { requiredKeys: ['name'] }),
  resource: fc.record({
    count: mostly(fc.constant(1), fc.oneof(fc.integer({ min: -1, max: 4 }), anything)),
    instanceType,
    labelSelector: fc.record({
      matchLabels: mostly(
        fc.constant({ apps: 'model' }),
        fc.dictionary(fc.string({ maxLength: 6 }), anything),
      ),
    }),
  }),
  inference: fc.record({
    preset: fc.record({ name: preset }),
    adapters: mostly(fc.constant([]), fc.array(adapter, { maxLength: 3 })),
  }),
});

describe('the pipeline on arbitrary input', () => {
  it('answers every spec with problems or a tree, and never writes outside the output directory', async () => {
    let rendered = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(workspace, { minLength: 1, maxLength: 4 }), async (docs) => {
        const files = docs.map((doc, i) => ({ path: `spec-${i}.yaml`, content: stringify(doc) }));
        const result = hydrate(files, { catalog });
        rendered += result.plans.length;
        for (const error of result.errors) expect(error.problems.length).toBeGreaterThan(0);
        const out = await mkdtemp(join(scratch, 'out-'));
        writeTree(out, result.tree);
        const written = await readdir(out, { recursive: true });
        for (const path of written) expect(relative(out, join(out, path)).startsWith('..')).toBe(false);
        for (const path of result.tree.keys())
          expect(path).toMatch(
            /^(kustomization\.yaml|inventory\.json|shards\/[a-z0-9.-]+\/kustomization\.yaml|workspaces\/[a-z0-9-]+\/[a-z0-9-]+\/[a-z0-9.-]+\.yaml)$/,
          );
      }),
      { numRuns: 150 },
    );
    // The generator must reach the renderer too, not only the validator.
    expect(rendered).toBeGreaterThan(10);
  });
});
