/**
 * Flux's custom health check for one object, as kustomize-controller ≥ v1.5 computes it (fluxcd/pkg
 * `runtime/cel`: `StatusEvaluator.Evaluate`), with a maintained CEL evaluator (@bufbuild/cel, tested
 * against the CEL conformance suite) standing in for cel-go:
 *
 * - `status.observedGeneration` present and different from `metadata.generation` → InProgress, before
 *   any expression runs;
 * - expressions are parsed, not type-checked, and evaluated with the object's top-level fields as
 *   variables (Go's unstructured: integers are CEL ints); a variable the object does not have is an
 *   error in cel-go ("no such attribute"), checked here before evaluation, so `has()` cannot hide it;
 * - `inProgress`, then `failed`, then `current`: the first true one decides; none → InProgress;
 *   an evaluation error or a non-boolean result → the status reader fails, kstatus Unknown.
 */
import { isCelError, parse, plan, celEnv, type CelInput } from '@bufbuild/cel';

type Expr = ReturnType<typeof parse>['expr'];

export type FluxStatus = 'InProgress' | 'Failed' | 'Current' | 'Unknown';

export interface FluxHealthCheck {
  inProgress?: string;
  failed?: string;
  current: string;
}

/** JSON as Go's unstructured decoding gives it to cel-go: integers are int64, maps are maps. */
export function celInput(value: unknown): CelInput {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(celInput);
  if (typeof value === 'object') {
    return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, celInput(v)]));
  }
  throw new Error(`not JSON: ${typeof value}`);
}

/** Identifiers an expression reads that no comprehension binds: the variables it needs. */
export function freeVariables(
  expr: Expr,
  bound: ReadonlySet<string> = new Set(),
  out = new Set<string>(),
): Set<string> {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'identExpr':
      if (!bound.has(kind.value.name)) out.add(kind.value.name);
      break;
    case 'selectExpr':
      if (kind.value.operand) freeVariables(kind.value.operand, bound, out);
      break;
    case 'callExpr':
      if (kind.value.target) freeVariables(kind.value.target, bound, out);
      for (const arg of kind.value.args) freeVariables(arg, bound, out);
      break;
    case 'listExpr':
      for (const element of kind.value.elements) freeVariables(element, bound, out);
      break;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') freeVariables(entry.keyKind.value, bound, out);
        if (entry.value) freeVariables(entry.value, bound, out);
      }
      break;
    case 'comprehensionExpr': {
      const c = kind.value;
      if (c.iterRange) freeVariables(c.iterRange, bound, out);
      if (c.accuInit) freeVariables(c.accuInit, bound, out);
      const inner = new Set([...bound, c.iterVar, c.iterVar2, c.accuVar].filter((v) => v !== ''));
      for (const part of [c.loopCondition, c.loopStep, c.result]) if (part) freeVariables(part, inner, out);
      break;
    }
    default:
      break;
  }
  return out;
}

function evaluate(expression: string, object: Record<string, unknown>): boolean | Error {
  const parsed = parse(expression);
  const missing = [...freeVariables(parsed.expr)].filter((name) => !(name in object));
  if (missing.length > 0) return new Error(`no such attribute(s): ${missing.join(', ')}`);
  const bindings = Object.fromEntries(Object.entries(object).map(([k, v]) => [k, celInput(v)]));
  const result = plan(celEnv(), parsed)(bindings);
  if (isCelError(result)) return new Error(result.message);
  if (typeof result !== 'boolean') return new Error(`not a boolean: ${expression}`);
  return result;
}

/** What Flux concludes for `object` under `check`. */
export function evaluateFluxHealth(check: FluxHealthCheck, object: Record<string, unknown>): FluxStatus {
  const status = object['status'] as { observedGeneration?: unknown } | undefined;
  const metadata = object['metadata'] as { generation?: unknown } | undefined;
  const observed = status?.observedGeneration;
  if (
    Number.isInteger(observed) &&
    Number.isInteger(metadata?.generation) &&
    observed !== metadata?.generation
  ) {
    return 'InProgress';
  }
  const order: [string | undefined, FluxStatus][] = [
    [check.inProgress, 'InProgress'],
    [check.failed, 'Failed'],
    [check.current, 'Current'],
  ];
  for (const [expression, verdict] of order) {
    if (expression === undefined || expression === '') continue;
    const result = evaluate(expression, object);
    if (result instanceof Error) return 'Unknown';
    if (result) return verdict;
  }
  return 'InProgress';
}
