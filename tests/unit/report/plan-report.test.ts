import { beforeAll, describe, expect, it } from 'vitest';
import { readCatalog, type Catalog } from '../../../src/catalog/index.ts';
import { hydrate } from '../../../src/pipeline.ts';
import { comparePlans } from '../../../src/report/plan-report.ts';
import { IncrementalRenderer } from '../../../src/sync/index.ts';
import { misspelt, phi3 } from '../../support/report-specs.ts';

let catalog: Catalog;
beforeAll(async () => {
  catalog = await readCatalog();
});

const base = [
  { path: 'specs/a.yaml', content: phi3('alpha') },
  { path: 'specs/b.yaml', content: phi3('beta') },
  { path: 'specs/c.yaml', content: phi3('gamma') },
];

describe('comparePlans', () => {
  it('classifies every workspace the way sync would render head on top of base', () => {
    const head = [
      { path: 'specs/a.yaml', content: phi3('alpha', 'Standard_NC12s_v3') }, // changed
      { path: 'specs/b.yaml', content: misspelt('beta') }, // refused: keeps base output
      { path: 'specs/d.yaml', content: phi3('delta') }, // added; gamma removed
    ];
    const report = comparePlans(base, head, { catalog });
    expect(report.summary).toMatchObject({ added: 1, changed: 1, removed: 1, refused: 1, unchanged: 0 });
    expect(report.workspaces.map((w) => [w.name, w.change])).toEqual([
      ['alpha', 'changed'],
      ['beta', 'refused'],
      ['delta', 'added'],
      ['gamma', 'removed'],
    ]);
    const alpha = report.workspaces[0];
    expect(alpha?.plan.find((row) => row.field === 'instanceType')).toEqual({
      field: 'instanceType',
      base: 'Standard_NC6s_v3',
      head: 'Standard_NC12s_v3',
    });
    expect(alpha?.diff).toContain('-  instanceType: Standard_NC6s_v3');
    expect(alpha?.diff).toContain('+  instanceType: Standard_NC12s_v3');
    expect(report.workspaces[1]?.diff).toBe(''); // refused: nothing changes in the cluster
    expect(report.workspaces[3]?.diff).toMatch(/\+\+\+ \/dev\/null/);
  });

  it('locates every problem of a refused spec by file and line', () => {
    const report = comparePlans(
      base,
      [...base.slice(0, 2), { path: 'specs/c.yaml', content: misspelt('gamma') }],
      {
        catalog,
      },
    );
    expect(report.refused).toHaveLength(1);
    const [problem] = report.refused[0]?.problems ?? [];
    expect(report.refused[0]?.file).toBe('specs/c.yaml');
    expect(problem?.path).toBe('inference.preset.name');
    expect(problem?.line).toBe(13);
    expect(problem?.message).toContain('phi-3-mini-4k-instruc');
  });

  it('places each problem where the pipeline located it, in every document of a file', () => {
    const head = [
      ...base.slice(0, 2),
      { path: 'specs/c.yaml', content: `${phi3('gamma')}---\n${misspelt('delta')}---\nkind: [\n` },
    ];
    const report = comparePlans(base, head, { catalog });
    const located = hydrate(head, { catalog }).errors.flatMap((error) => error.problems);
    expect(report.refused.flatMap((spec) => spec.problems)).toEqual(located);
    expect(located.map((p) => [p.path, p.line, p.column])).toEqual([
      ['', 30, 1],
      ['inference.preset.name', 27, 5],
    ]);
  });

  it('counts GPUs and cost of what runs after the merge, refused workspaces at their base plan', () => {
    const head = [
      { path: 'specs/a.yaml', content: phi3('alpha', 'Standard_NC12s_v3') },
      { path: 'specs/b.yaml', content: misspelt('beta') },
      base[2]!,
    ];
    const report = comparePlans(base, head, { catalog });
    const v100 = catalog.skus.require('Standard_NC6s_v3');
    const v100x2 = catalog.skus.require('Standard_NC12s_v3');
    expect(report.summary.base.gpus).toBe(3);
    expect(report.summary.head.gpus).toBe(4);
    expect(report.summary.head.costPerHour).toBeCloseTo(
      (v100x2.pricePerHourUsd ?? 0) + 2 * (v100.pricePerHourUsd ?? 0),
      2,
    );
  });

  it('reports nothing when the rendered output is the same', () => {
    const report = comparePlans(
      base,
      base.map((f) => ({ ...f, content: `# a comment\n${f.content}` })),
      {
        catalog,
      },
    );
    expect(report.workspaces).toEqual([]);
    expect(report.summary).toMatchObject({ added: 0, changed: 0, removed: 0, refused: 0, unchanged: 3 });
  });
});

describe('comparePlans with an incremental renderer', () => {
  it('gives the same report as rendering both trees in full', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ path: `specs/w${i}.yaml`, content: phi3(`w${i}`) }));
    const head = many.map((f, i) =>
      i === 3
        ? { ...f, content: phi3('w3', 'Standard_NC12s_v3') }
        : i === 7
          ? { ...f, content: misspelt('w7') }
          : f,
    );
    head.splice(12, 1);
    const full = comparePlans(many, head, { catalog });
    const incremental = new IncrementalRenderer(hydrate);
    expect(comparePlans(many, head, { catalog, renderer: incremental })).toEqual(full);
    expect(incremental.counts.partial).toBe(1);
  });
});

describe('a refused workspace', () => {
  it('says whether base output stays deployed', () => {
    const report = comparePlans(base, [...base, { path: 'specs/new.yaml', content: misspelt('fresh') }], {
      catalog,
    });
    expect(report.workspaces.map((w) => [w.name, w.change, w.keepsBase])).toEqual([
      ['fresh', 'refused', false],
    ]);
    const kept = comparePlans(
      base,
      [base[0]!, { path: 'specs/b.yaml', content: misspelt('beta') }, base[2]!],
      {
        catalog,
      },
    );
    expect(kept.workspaces.map((w) => [w.name, w.change, w.keepsBase])).toEqual([['beta', 'refused', true]]);
  });
});
