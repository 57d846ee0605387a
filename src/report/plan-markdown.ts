/**
 * The plan section of the pull-request comment, as Markdown: a summary line (workspaces added /
 * changed / removed / refused, GPUs and cost base → head), every problem of every refused spec as
 * `file:line: path: message`, and per changed Workspace its plan base → head and its manifest diff in
 * a collapsed `<details>`. Pure.
 *
 * It always fits `limit` characters: diffs are cut first (small ones stay whole, large ones share
 * what is left), then, for pull requests that change thousands of workspaces, whole workspace sections;
 * a note says so and how to see everything.
 */
import { formatPrice } from '../catalog/index.ts';
import { cell, code, count, fence, html, singleLine } from './markdown-text.ts';
import type { PlanReport, RefusedSpec, Totals, WorkspaceChange } from './plan-report.ts';

export interface PlanRevisions {
  /** Base commit (the merge base of the pull request). */
  base: string;
  /** Head commit. */
  head: string;
}

export interface PlanMarkdownOptions {
  /** Most characters the section may have. @default unlimited */
  limit?: number;
  /** Shown in the truncation note: how the reader sees everything. */
  fullCommand?: string;
}

interface Layout {
  /** Characters of each workspace's diff shown (by index); undefined = all. */
  diffBudget: (index: number) => number | undefined;
  /** Workspace sections shown (the rest are counted in a note). */
  shown: number;
  /** Problem lines shown. */
  problems: number;
  truncated: boolean;
}

export function planMarkdown(
  report: PlanReport,
  revisions: PlanRevisions,
  options: PlanMarkdownOptions = {},
): string {
  const limit = options.limit ?? Infinity;
  const problemLines = report.refused.flatMap(problemLinesOf);
  const render = (layout: Layout) => renderSection(report, revisions, problemLines, layout, options);
  const full: Layout = {
    diffBudget: () => undefined,
    shown: report.workspaces.length,
    problems: problemLines.length,
    truncated: false,
  };
  const whole = render(full);
  if (whole.length <= limit) return whole;

  // 1. Cut the diffs: the small ones stay whole, the large ones share what is left.
  const noDiffs: Layout = { ...full, diffBudget: () => 0, truncated: true };
  const diffs = report.workspaces.map((w) => w.diff.length);
  let spare = limit - render(noDiffs).length;
  for (let attempt = 0; spare > 0 && attempt < 4; attempt++) {
    const budgets = fairShares(diffs, spare);
    const text = render({ ...noDiffs, diffBudget: (i) => budgets[i] });
    if (text.length <= limit) return text;
    spare -= text.length - limit + 64; // wrappers cost a little more than estimated; give that back
  }

  // 2. Drop workspace sections from the end, then problem lines, until it fits.
  let layout = noDiffs;
  let text = render(layout);
  while (text.length > limit && layout.shown > 0) {
    const over = text.length - limit;
    const step = Math.max(1, Math.ceil((layout.shown * over) / text.length));
    layout = { ...layout, shown: Math.max(0, layout.shown - step) };
    text = render(layout);
  }
  while (text.length > limit && layout.problems > 0) {
    layout = { ...layout, problems: Math.floor(layout.problems / 2) };
    text = render(layout);
  }
  return text.length <= limit ? text : text.slice(0, Math.max(0, limit - 2)) + '…\n';
}

/**
 * Splits `available` characters among items of the given sizes: items smaller than an equal share
 * get what they need, and what they leave is shared by the rest.
 */
export function fairShares(sizes: readonly number[], available: number): number[] {
  const order = sizes.map((size, index) => ({ size, index })).sort((a, b) => a.size - b.size);
  const shares = sizes.map(() => 0);
  let left = Math.max(0, available);
  order.forEach(({ size, index }, position) => {
    const share = Math.min(size, Math.floor(left / (order.length - position)));
    shares[index] = share;
    left -= share;
  });
  return shares;
}

function renderSection(
  report: PlanReport,
  revisions: PlanRevisions,
  problemLines: readonly string[],
  layout: Layout,
  options: PlanMarkdownOptions,
): string {
  const parts = [header(report, revisions)];
  if (layout.truncated) {
    const command = options.fullCommand ?? 'kaito-gitops report plan --base BASE --head HEAD';
    parts.push(
      `> This comment is cut to fit the 65,536-character limit of a comment. Run ${code(command)} in a checkout to see all of it (${code('kaito-gitops plan')} shows the plans).\n`,
    );
  }
  if (problemLines.length > 0) parts.push(refusedBlock(problemLines, layout.problems));
  report.workspaces.slice(0, layout.shown).forEach((workspace, index) => {
    parts.push(workspaceBlock(workspace, layout.diffBudget(index)));
  });
  const hidden = report.workspaces.length - layout.shown;
  if (hidden > 0) parts.push(`_${count(hidden, 'more changed workspace')} not shown._\n`);
  if (report.workspaces.length === 0 && problemLines.length === 0) {
    parts.push('No Workspace changes: the rendered manifests are the same at both revisions.\n');
  }
  for (const warning of report.warnings) parts.push(`> ${singleLine(warning)}\n`);
  return parts.join('\n');
}

function header(report: PlanReport, revisions: PlanRevisions): string {
  const s = report.summary;
  const counts = [`${s.added} added`, `${s.changed} changed`, `${s.removed} removed`, `${s.refused} refused`];
  const lines = [
    '### kaito-gitops plan',
    '',
    `${code(revisions.base.slice(0, 12))} → ${code(revisions.head.slice(0, 12))}: **${counts.join(', ')}**, ${s.unchanged} unchanged`,
    '',
    `**GPUs** ${delta(s.base.gpus, s.head.gpus, String)} · **cost** ${delta(s.base.costPerHour, s.head.costPerHour, formatPrice)}${unpriced(s.base, s.head)}`,
  ];
  return lines.join('\n') + '\n';
}

function delta(base: number, head: number, format: (n: number) => string): string {
  const change = Math.round((head - base) * 100) / 100;
  if (change === 0) return `${format(head)} (no change)`;
  const sign = change > 0 ? '+' : '−';
  return `${format(base)} → **${format(head)}** (${sign}${format(Math.abs(change))})`;
}

function unpriced(base: Totals, head: Totals): string {
  const n = Math.max(base.unpriced, head.unpriced);
  return n === 0 ? '' : ` (without ${count(n, 'workspace')} whose SKU has no list price)`;
}

function problemLinesOf(spec: RefusedSpec): string[] {
  return spec.problems.map((p) => {
    const where = p.line === undefined ? spec.file : `${spec.file}:${p.line}`;
    return singleLine([where, p.path, p.message].filter((part) => part !== '').join(': '));
  });
}

function refusedBlock(lines: readonly string[], shown: number): string {
  const hidden = lines.length - shown;
  const text = lines.slice(0, shown).join('\n') + (hidden > 0 ? `\n… ${count(hidden, 'more problem')}` : '');
  return [
    '#### Refused specs',
    '',
    'Fix these before merging: a refused Workspace keeps its last good output, so a running model stays up, but the change does not reach the cluster.',
    '',
    fence(text, 'text'),
  ].join('\n');
}

function changeWords(workspace: WorkspaceChange): string {
  switch (workspace.change) {
    case 'removed':
      return 'removed: its objects are deleted when this merges';
    case 'refused':
      return workspace.keepsBase === true
        ? 'refused: keeps its last good output'
        : 'refused: not deployed until its spec is fixed';
    default:
      return workspace.change;
  }
}

function workspaceBlock(workspace: WorkspaceChange, diffBudget: number | undefined): string {
  const parts = [
    `#### ${code(`${workspace.namespace}/${workspace.name}`)} ${changeWords(workspace)}`,
    '',
    `from ${code(workspace.file)}`,
    '',
  ];
  if (workspace.change === 'added' || workspace.change === 'changed') {
    const rows = workspace.plan.filter((row) => workspace.change === 'added' || row.base !== row.head);
    if (rows.length === 0) parts.push('Plan unchanged.', '');
    else {
      parts.push('| plan | |', '|---|---|');
      for (const row of rows) parts.push(`| ${row.field} | ${cell(planValue(row.base, row.head))} |`);
      parts.push('');
    }
    if (workspace.why.length > 0) {
      parts.push(
        '<details><summary>Why this plan</summary>',
        '',
        ...workspace.why.map((note) => `- ${singleLine(note)}`),
        '',
        '</details>',
        '',
      );
    }
  }
  if (workspace.diff !== '') parts.push(diffBlock(workspace.diff, diffBudget));
  return parts.join('\n');
}

function planValue(base: string | undefined, head: string | undefined): string {
  if (base === undefined) return code(head ?? '');
  if (head === undefined) return `~~${code(base)}~~`;
  if (base === head) return code(head);
  return `${code(base)} → **${code(head)}**`;
}

function diffBlock(diff: string, budget: number | undefined): string {
  const lines = diff.endsWith('\n') ? diff.slice(0, -1).split('\n') : diff.split('\n');
  const files = lines.filter((line) => line.startsWith('+++ ')).length;
  const added = lines.filter((line) => line.startsWith('+') && !line.startsWith('+++ ')).length;
  const removed = lines.filter((line) => line.startsWith('-') && !line.startsWith('--- ')).length;
  const summary = html(`Manifest diff: ${count(files, 'file')}, +${added} −${removed}`);
  if (budget === 0) return `${summary} (not shown: the comment is full).\n`;
  let shown = lines;
  if (budget !== undefined) {
    let used = 0;
    const kept: string[] = [];
    for (const line of lines) {
      if (used + line.length + 1 > budget) break;
      kept.push(line);
      used += line.length + 1;
    }
    const cut = lines.length - kept.length;
    shown = cut > 0 ? [...kept, `… ${count(cut, 'more line')} not shown`] : kept;
  }
  return [
    `<details><summary>${summary}</summary>`,
    '',
    fence(shown.join('\n'), 'diff'),
    '</details>',
    '',
  ].join('\n');
}
