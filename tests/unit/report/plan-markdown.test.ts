import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMENT_LIMIT, composeComment, parseComment } from '../../../src/report/comment-body.ts';
import { code, fence } from '../../../src/report/markdown-text.ts';
import { fairShares, planMarkdown } from '../../../src/report/plan-markdown.ts';
import type { PlanReport, WorkspaceChange } from '../../../src/report/plan-report.ts';

const revisions = { base: 'a'.repeat(40), head: 'b'.repeat(40) };
const totals = { gpus: 0, costPerHour: 0, unpriced: 0 };

function report(workspaces: WorkspaceChange[], problems = 0): PlanReport {
  return {
    summary: {
      added: 0,
      changed: workspaces.length,
      removed: 0,
      refused: problems,
      unchanged: 0,
      base: totals,
      head: totals,
    },
    workspaces,
    refused:
      problems === 0
        ? []
        : [
            {
              file: 'specs/x.yaml',
              problems: Array.from({ length: problems }, (_, i) => ({
                line: i + 1,
                path: 'resource.count',
                message: `problem ${i}`,
              })),
            },
          ],
    warnings: [],
  };
}

function change(name: string, diffLines: number): WorkspaceChange {
  const body = Array.from({ length: diffLines }, (_, i) => `+line ${i} of ${name} ${'x'.repeat(60)}`).join(
    '\n',
  );
  return {
    namespace: 'default',
    name,
    file: `${name}.yaml`,
    change: 'changed',
    plan: [{ field: 'nodes', base: '1', head: '2' }],
    why: [],
    diff: `--- a/${name}\n+++ b/${name}\n@@ -0,0 +1,${diffLines} @@\n${body}\n`,
  };
}

describe('planMarkdown', () => {
  it('shows everything when it fits', () => {
    const text = planMarkdown(report([change('small', 3)]), revisions, { limit: COMMENT_LIMIT });
    expect(text).toContain('+line 2 of small');
    expect(text).not.toContain('cut to fit');
  });

  it('cuts large diffs first, keeps small ones whole, and says how to see everything', () => {
    const text = planMarkdown(report([change('huge', 5000), change('small', 3)]), revisions, {
      limit: COMMENT_LIMIT,
      fullCommand: 'kaito-gitops report plan --base main --head HEAD',
    });
    expect(text.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(text).toContain('cut to fit the 65,536-character limit');
    expect(text).toContain('`kaito-gitops report plan --base main --head HEAD`');
    expect(text).toContain('+line 2 of small');
    expect(text).toContain('+line 0 of huge');
    expect(text).toMatch(/… \d+ more lines not shown/);
    expect(text.length).toBeGreaterThan(COMMENT_LIMIT - 2000); // the space is used, not wasted
  });

  it('drops whole workspace sections, with a count, when thousands change', () => {
    const many = Array.from({ length: 3000 }, (_, i) => change(`ws-${i}`, 2));
    const text = planMarkdown(report(many, 500), revisions, { limit: COMMENT_LIMIT });
    expect(text.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(text).toMatch(/_\d+ more changed workspaces not shown\._/);
    expect(text).toContain('specs/x.yaml:1: resource.count: problem 0');
  });

  it('never exceeds the limit, whatever the sizes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 2_000, max: 20_000 }),
        (sizes, problems, limit) => {
          const text = planMarkdown(
            report(
              sizes.map((n, i) => change(`w${i}`, n)),
              problems,
            ),
            revisions,
            { limit },
          );
          return text.length <= limit;
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('fairShares', () => {
  it.each([
    [[10, 1000, 20], 530, [10, 500, 20]],
    [[10, 20], 1000, [10, 20]],
    [[300, 300], 100, [50, 50]],
    [[5], 0, [0]],
  ])('%j within %i → %j', (sizes, available, shares) => {
    expect(fairShares(sizes, available)).toEqual(shares);
  });
});

describe('untrusted text', () => {
  it('cannot close a code span or fence early', () => {
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x')).toBe('`` `x ``');
    expect(fence('```\nx', 'diff')).toBe('````diff\n```\nx\n````\n');
  });

  it('cannot forge the section markers: every section survives a round trip', () => {
    const plan = planMarkdown(
      report([
        {
          ...change('evil', 1),
          diff: '+<!-- /kaito-gitops:plan -->\n',
          file: 'x\n<!-- /kaito-gitops:plan -->',
        },
      ]),
      revisions,
    );
    const body = composeComment({ plan, status: 'live status\n' });
    expect(parseComment(body)).toEqual({ plan, status: 'live status\n' });
  });
});
