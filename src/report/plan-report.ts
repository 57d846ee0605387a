/**
 * What a pull request changes, as data: the base and head revisions' specs through the pipeline
 * (`hydrate`, the same function `synth` and `sync` run), each with the repository files of its own
 * revision (the Hugging Face cache), head rendered on top of base's tree exactly as sync
 * would render it after the merge. Pure: the caller reads both revisions' files.
 *
 * The result is what every reader shares: the comment's Markdown, `report plan --output json`, and
 * the commit status.
 */
import { compareStrings, keyOf, type Source, type SourceFile } from '../api/index.ts';
import { describePlan, type Catalog, type Cloud, type WorkspacePlan } from '../catalog/index.ts';
import type { Problem } from '../errors.ts';
import { hydrate, type HydrateOptions, type HydrateResult, type WorkspaceOutcome } from '../pipeline.ts';
import { inventoryOf, type Tree } from '../render/index.ts';
import type { HelperImages } from '../synth/index.ts';
import { unifiedDiff } from './unified-diff.ts';

export type WorkspaceChangeKind = 'added' | 'changed' | 'removed' | 'refused';

/** One row of a plan (`describePlan`'s field names), with its value at base and at head. */
export interface PlanFieldChange {
  field: string;
  /** Absent where the workspace has no plan at base (added, or refused there). */
  base?: string;
  /** Absent where it has none at head (removed, or refused: its base output stays). */
  head?: string;
}

export interface WorkspaceChange {
  namespace: string;
  name: string;
  /** Source file of the spec (at head; at base for a removed one). */
  file: string;
  change: WorkspaceChangeKind;
  /** For `refused`: whether base has output for it, which stays deployed (else it is not deployed at all). */
  keepsBase?: boolean;
  plan: PlanFieldChange[];
  /** Why the plan is what it is (the catalog's notes: SKU choice, node estimate, parallelism). */
  why: string[];
  /** Unified diff of the workspace's rendered files, Secret values masked; empty when none changed. */
  diff: string;
}

/** Everything wrong with one refused spec. */
export interface RefusedSpec {
  file: string;
  /** As the pipeline located them: `line` and `column` where the field (or its nearest parent) is. */
  problems: Problem[];
}

export interface Totals {
  /** GPUs requested when every workload runs (nodes × GPUs per node). */
  gpus: number;
  /** List price per hour of the nodes, where the catalog knows it. */
  costPerHour: number;
  /** Workspaces whose SKU has no price in the catalog (not in `costPerHour`). */
  unpriced: number;
}

export interface PlanReport {
  summary: {
    added: number;
    changed: number;
    removed: number;
    /** Specs (documents) refused at head; each keeps its last good output. */
    refused: number;
    unchanged: number;
    base: Totals;
    head: Totals;
  };
  /** Every workspace that is not unchanged, sorted by namespace/name. */
  workspaces: WorkspaceChange[];
  refused: RefusedSpec[];
  warnings: string[];
}

/**
 * How the two trees are rendered. sync's `IncrementalRenderer` fits: told base's result (`accept`),
 * it renders head by re-rendering only the files head changed, which is what makes a one-spec pull
 * request among thousands cheap; its result is always what a full render gives.
 */
export interface TreeRenderer {
  render(files: readonly SourceFile[], options: HydrateOptions): HydrateResult;
  accept?(files: readonly SourceFile[], options: HydrateOptions, result: HydrateResult): void;
}

export interface ComparePlansOptions {
  catalog: Catalog;
  /** @default "azure" */
  cloud?: Cloud;
  images?: Partial<HelperImages>;
  /** @default both trees rendered in full with `hydrate` */
  renderer?: TreeRenderer;
}

/** The rows of `describePlan` a reviewer compares; the command line is in the manifest diff. */
const HIDDEN_FIELDS = new Set(['workspace', 'source', 'command', 'note']);

export function comparePlans(base: Source, head: Source, options: ComparePlansOptions): PlanReport {
  const shared: HydrateOptions = { catalog: options.catalog, cloud: options.cloud, images: options.images };
  const renderer = options.renderer ?? { render: hydrate };
  const baseOptions: HydrateOptions = { ...shared, repository: base.repository };
  const before = renderer.render(base.files, baseOptions);
  renderer.accept?.(base.files, baseOptions, before);
  const after = renderer.render(head.files, {
    ...shared,
    repository: head.repository,
    previous: before.tree,
  });

  const basePlans = byKey(before.plans);
  const headPlans = byKey(after.plans);
  const baseFiles = filesByWorkspace(before.tree);
  const headFiles = filesByWorkspace(after.tree);

  const counts = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  const workspaces: WorkspaceChange[] = [];
  // What runs after the merge: head's plan where head rendered it, base's where its output stays.
  const running: WorkspacePlan[] = [];
  for (const outcome of after.workspaces) {
    const id = keyOf(outcome);
    const change = changeOf(outcome, baseFiles.has(id));
    const basePlan = basePlans.get(id);
    const runs =
      outcome.status === 'rendered' ? headPlans.get(id) : outcome.status === 'removed' ? undefined : basePlan;
    if (runs !== undefined) running.push(runs);
    if (change === undefined) {
      counts.unchanged++;
      continue;
    }
    if (change !== 'refused') counts[change]++;
    const headPlan = change === 'refused' || change === 'removed' ? undefined : headPlans.get(id);
    workspaces.push({
      namespace: outcome.namespace,
      name: outcome.name,
      file: outcome.file,
      change,
      ...(change === 'refused' ? { keepsBase: baseFiles.has(id) } : {}),
      plan: planChanges(basePlan, headPlan),
      why: (headPlan ?? basePlan)?.notes ?? [],
      diff: workspaceDiff(baseFiles.get(id) ?? [], headFiles.get(id) ?? [], before.tree, after.tree),
    });
  }

  return {
    summary: {
      ...counts,
      refused: after.errors.length,
      base: totals(before.plans),
      head: totals(running),
    },
    workspaces,
    refused: refusedSpecs(after),
    warnings: after.warnings,
  };
}

function changeOf(outcome: WorkspaceOutcome, inBase: boolean): WorkspaceChangeKind | undefined {
  switch (outcome.status) {
    case 'unchanged':
      return undefined;
    case 'rendered':
      return inBase ? 'changed' : 'added';
    case 'removed':
      return 'removed';
    case 'kept':
    case 'refused':
      return 'refused';
  }
}

/** Every row that either side has, in `describePlan`'s order (head's first, then base-only rows). */
function planChanges(base: WorkspacePlan | undefined, head: WorkspacePlan | undefined): PlanFieldChange[] {
  const rows = (plan: WorkspacePlan | undefined) =>
    new Map(
      (plan === undefined ? [] : describePlan(plan))
        .filter((row) => !HIDDEN_FIELDS.has(row.field))
        .map((row) => [row.field, row.value]),
    );
  const before = rows(base);
  const after = rows(head);
  const fields = [...new Set([...after.keys(), ...before.keys()])];
  return fields.map((field) => {
    const row: PlanFieldChange = { field };
    const b = before.get(field);
    const h = after.get(field);
    if (b !== undefined) row.base = b;
    if (h !== undefined) row.head = h;
    return row;
  });
}

function workspaceDiff(baseFiles: string[], headFiles: string[], before: Tree, after: Tree): string {
  const paths = [...new Set([...baseFiles, ...headFiles])].sort();
  return paths
    .map((path) => unifiedDiff(path, before.get(path), after.get(path)))
    .filter((patch) => patch !== '')
    .join('');
}

function totals(plans: readonly WorkspacePlan[]): Totals {
  const result: Totals = { gpus: 0, costPerHour: 0, unpriced: 0 };
  for (const plan of plans) {
    result.gpus += plan.nodes * plan.gpusPerNode;
    const price = plan.sku?.pricePerHourUsd;
    if (price === undefined) result.unpriced++;
    else result.costPerHour += price * plan.nodes;
  }
  result.costPerHour = Math.round(result.costPerHour * 100) / 100;
  return result;
}

/** Each refused spec of head, with its problems. */
function refusedSpecs(result: HydrateResult): RefusedSpec[] {
  return result.errors
    .map((error) => ({ file: error.file ?? '', problems: [...error.problems] }))
    .sort((a, b) => compareStrings(a.file, b.file));
}

function filesByWorkspace(tree: Tree): Map<string, string[]> {
  return new Map(inventoryOf(tree).workspaces.map((entry) => [keyOf(entry), entry.files]));
}

function byKey(plans: readonly WorkspacePlan[]): Map<string, WorkspacePlan> {
  return new Map(plans.map((plan) => [keyOf(plan.workspace), plan]));
}
