import { beforeAll, describe, expect, it } from 'vitest';
import { formatHuggingFaceCache, readCatalog, type Catalog } from '../../../src/catalog/index.ts';
import { hydrate } from '../../../src/pipeline.ts';
import type { Source, SourceFile } from '../../../src/api/index.ts';
import { comparePlans, type ComparePlansOptions } from '../../../src/report/plan-report.ts';
import { IncrementalRenderer } from '../../../src/sync/index.ts';
import { QWEN3_4B_FACTS, QWEN3_4B_WORKSPACE } from '../../support/hf-hub-server.ts';
import { misspelt, phi3 } from '../../support/report-specs.ts';

/** Both revisions as spec files only, no repository files beside them. */
const specs = (files: readonly SourceFile[]): Source => ({
  files: [...files],
  repository: { dir: 'specs', files: [] },
});
const compare = (base: readonly SourceFile[], head: readonly SourceFile[], options: ComparePlansOptions) =>
  comparePlans(specs(base), specs(head), options);

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
    const report = compare(base, head, { catalog });
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
    const report = compare(
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
    const report = compare(base, head, { catalog });
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
    const report = compare(base, head, { catalog });
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
    const report = compare(
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
    const full = compare(many, head, { catalog });
    const incremental = new IncrementalRenderer(hydrate);
    expect(compare(many, head, { catalog, renderer: incremental })).toEqual(full);
    expect(incremental.counts.partial).toBe(1);
  });
});

describe('a refused workspace', () => {
  it('says whether base output stays deployed', () => {
    const report = compare(base, [...base, { path: 'specs/new.yaml', content: misspelt('fresh') }], {
      catalog,
    });
    expect(report.workspaces.map((w) => [w.name, w.change, w.keepsBase])).toEqual([
      ['fresh', 'refused', false],
    ]);
    const kept = compare(base, [base[0]!, { path: 'specs/b.yaml', content: misspelt('beta') }, base[2]!], {
      catalog,
    });
    expect(kept.workspaces.map((w) => [w.name, w.change, w.keepsBase])).toEqual([['beta', 'refused', true]]);
  });
});

describe('comparePlans with the repository files of each revision', () => {
  const qwen3 = {
    path: 'qwen3.yaml',
    display: 'specs/qwen3.yaml',
    content: QWEN3_4B_WORKSPACE,
  };
  const withCache = (files: SourceFile[], cached: boolean): Source => ({
    files,
    repository: {
      dir: 'specs',
      files: cached
        ? [
            {
              path: '.kaito-gitops/huggingface-models.yaml',
              display: 'specs/.kaito-gitops/huggingface-models.yaml',
              content: formatHuggingFaceCache([{ gated: false, facts: QWEN3_4B_FACTS }]),
            },
          ]
        : [],
    },
  });

  it('plans each side with its own Hugging Face cache file', () => {
    const added = comparePlans(withCache([], false), withCache([qwen3], true), { catalog });
    expect(added.summary).toMatchObject({ added: 1, refused: 0 });
    // Head deletes the cache file: head cannot size the model (and keeps base's output), base could.
    const dropped = comparePlans(withCache([qwen3], true), withCache([qwen3], false), { catalog });
    expect(dropped.workspaces.map((w) => [w.name, w.change, w.keepsBase])).toEqual([
      ['qwen3', 'refused', true],
    ]);
    expect(dropped.refused[0]?.problems[0]?.message).toContain(
      'Qwen/Qwen3-4B is not in the model catalog, and specs/.kaito-gitops/huggingface-models.yaml does not size it',
    );
  });
});
