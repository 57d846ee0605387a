/**
 * How GitOps tools judge a Workspace: the Argo CD health script (Lua, run by gopher-lua: Lua 5.1 with
 * only the base, table and a reduced os library, no string library) and the Flux `healthCheckExprs`
 * entry (CEL, evaluated by kustomize-controller ≥ v1.5 after its own `status.observedGeneration` check).
 * Both read the same facts, for status written by the kaito-gitops agent (kstatus `Ready`/`Stalled`,
 * `status.observedGeneration`) and by Kaito's own controller (its conditions only, each carrying
 * `observedGeneration`):
 *
 * - a verdict counts only when it was computed for the current `metadata.generation` (else the spec was
 *   edited and the controller has not looked yet: Progressing / InProgress);
 * - `Stalled=True`, or a failure that waiting will not fix (image pull, crash loop, OOM, a container
 *   that cannot start, a failed tuning job or benchmark): Degraded / Failed;
 * - `Ready=True`, or for Kaito's controller `WorkspaceSucceeded=True`: Healthy / Current;
 * - for Flux only, a tuning Workspace whose job has started (`JobStarted=True`) is Current too: with
 *   `wait: true` Flux holds every later revision of the Kustomization until all objects are Current,
 *   and a training run takes hours; Argo CD shows it Progressing until it succeeds, which blocks nothing;
 * - anything else is still on its way: Progressing / InProgress.
 *
 * Pure data; the bootstrap writes it into `argocd-cm` and the Flux Kustomization.
 */
import { CONDITION_REASONS as R, CONDITION_TYPES as T } from './conditions.ts';

/** Kaito v0.12's `WorkspaceSucceeded` reason when its post-load benchmark failed (write-once). */
const KAITO_BENCHMARK_FAILED = 'BenchmarkFailed';

/**
 * Reasons on `InferenceReady`, `JobStarted` or `WorkspaceSucceeded` (status False) that waiting will not
 * fix: someone must change the spec, the image or the cluster. Both controllers use these words.
 */
export const TERMINAL_FAILURE_REASONS: readonly string[] = [
  R.ImagePullError,
  R.ContainerCrashLoopBackOff,
  R.ContainerOOMKilled,
  R.ContainerStartError,
  R.TuningJobFailed,
  R.WorkspaceFailed,
  KAITO_BENCHMARK_FAILED,
];

/** The conditions whose reasons {@link TERMINAL_FAILURE_REASONS} are looked for in. */
const FAILURE_CONDITIONS: readonly string[] = [T.InferenceReady, T.JobStarted, T.WorkspaceSucceeded];

/** The verdict conditions: when one was computed for an older generation, the verdict is stale. */
const VERDICT_CONDITIONS: readonly string[] = [T.Ready, T.WorkspaceSucceeded];

const luaSet = (values: readonly string[]): string =>
  `{ ${values.map((v) => `["${v}"] = true`).join(', ')} }`;
const luaList = (values: readonly string[]): string => `{ ${values.map((v) => `"${v}"`).join(', ')} }`;

/** The Argo CD health script for `kaito.sh/Workspace` (`resource.customizations.health.kaito.sh_Workspace`). */
export const WORKSPACE_HEALTH_LUA = `-- kaito-gitops: Workspace health, for status written by the kaito-gitops agent or by Kaito.
local hs = { status = "Progressing", message = "Waiting for the Workspace controller to report status" }
local generation = obj.metadata.generation
local status = obj.status
if status == nil then
  return hs
end
if status.observedGeneration ~= nil and generation ~= nil and status.observedGeneration ~= generation then
  hs.message = "Waiting for the Workspace controller to observe generation " .. generation
  return hs
end
local conditions = {}
if status.conditions ~= nil then
  for _, condition in ipairs(status.conditions) do
    conditions[condition.type] = condition
  end
end
local function current(condition)
  return condition ~= nil and (condition.observedGeneration == nil or generation == nil or condition.observedGeneration == generation)
end
local function describe(condition)
  return condition.type .. ": " .. (condition.message or condition.reason or condition.status)
end
for _, type in ipairs(${luaList(VERDICT_CONDITIONS)}) do
  local condition = conditions[type]
  if condition ~= nil and not current(condition) then
    hs.message = "Waiting for the Workspace controller to observe generation " .. generation
    return hs
  end
end
local stalled = conditions["${T.Stalled}"]
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(stalled)
  return hs
end
local terminal = ${luaSet(TERMINAL_FAILURE_REASONS)}
for _, type in ipairs(${luaList(FAILURE_CONDITIONS)}) do
  local condition = conditions[type]
  if current(condition) and condition.status == "False" and terminal[condition.reason] then
    hs.status = "Degraded"
    hs.message = describe(condition)
    return hs
  end
end
local verdict = conditions["${T.Ready}"] or conditions["${T.WorkspaceSucceeded}"]
if verdict ~= nil then
  if verdict.status == "True" then
    hs.status = "Healthy"
  end
  hs.message = describe(verdict)
end
return hs
`;

/** Flux `healthCheckExprs` entry fields (kustomize `CustomHealthCheck` minus apiVersion/kind). */
export interface CelHealthCheck {
  inProgress: string;
  failed: string;
  current: string;
}

const celList = (values: readonly string[]): string => `[${values.map((v) => `'${v}'`).join(', ')}]`;
const anyCondition = (predicate: string): string =>
  `has(status.conditions) && status.conditions.exists(c, ${predicate})`;

/**
 * The CEL expressions (evaluated inProgress → failed → current; none true means InProgress). Flux
 * evaluates them with the object's top-level fields as variables, so `status` must exist: an object
 * without one is reported Unknown, which Flux waits on like InProgress. The agent's CRD defaults
 * `status.observedGeneration` to -1, so Flux's own generation check answers first there.
 */
export const WORKSPACE_HEALTH_CEL: CelHealthCheck = {
  inProgress: anyCondition(
    `c.type in ${celList(VERDICT_CONDITIONS)} && has(c.observedGeneration) && c.observedGeneration != metadata.generation`,
  ),
  failed: anyCondition(
    `(c.type == '${T.Stalled}' && c.status == 'True') || (c.type in ${celList(FAILURE_CONDITIONS)} && c.status == 'False' && c.reason in ${celList(TERMINAL_FAILURE_REASONS)})`,
  ),
  current: `${anyCondition(`(c.type == '${T.Ready}' || c.type == '${T.JobStarted}') && c.status == 'True'`)} || (has(status.conditions) && !status.conditions.exists(c, c.type == '${T.Ready}') && status.conditions.exists(c, c.type == '${T.WorkspaceSucceeded}' && c.status == 'True'))`,
};
