/**
 * The agent container's memory, sized from `npm run bench` (the agent alone in its own process, started
 * as the chart starts it, with a real cluster's objects per Workspace; README "Benchmarks"): peak RSS
 * about 140 MiB idle, 200–217 MiB at 1,000 Workspaces and 218 MiB at 3,000 with these V8 settings. Most
 * of the idle figure is code (the Kubernetes client and its HTTP stack, OpenSSL); the informer caches
 * keep only the fields the agent reads, so each Workspace adds little. A 64 MiB heap is too small: the
 * agent ran out of heap at 1,000 Workspaces.
 *
 * The V8 heap is capped so the garbage collector keeps RSS near the live data instead of growing to
 * what the limit would allow: the live heap at 3,000 Workspaces stays well below the cap. Clusters
 * with many more Workspaces than that need a larger cap (and limit).
 */
export const AGENT_MEMORY = {
  /** V8's old-space limit (`--max-old-space-size`), MiB. */
  heapMiB: 96,
  /**
   * V8's semi-space size (`--max-semi-space-size`), MiB: the young generation that the agent's
   * short-lived objects (watch events, status patches) pass through. 1 MiB costs a few more scavenges
   * and saves tens of MiB of RSS.
   */
  semiSpaceMiB: 1,
  /** The container's memory request: the peak at 1,000 Workspaces, rounded up. */
  requestMiB: 224,
  /** The container's memory limit: room above the peak at 3,000 Workspaces for native memory. */
  limitMiB: 384,
} as const;

/** NODE_OPTIONS of the agent container (and of the agent benchmark, which measures what the chart runs). */
export function agentNodeOptions(): string {
  return `--max-old-space-size=${AGENT_MEMORY.heapMiB} --max-semi-space-size=${AGENT_MEMORY.semiSpaceMiB}`;
}
