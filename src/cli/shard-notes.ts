/**
 * What `synth` and `sync --once` say when a run opens or retires shards: a new shard is a new unit for
 * Flux or Argo CD to apply, and whether anyone must act depends on the bootstrap. One line each way.
 */
import { FLUX_NAME, FLUX_NAMESPACE, FLUX_UNITS_DIR, unitName, type ShardChanges } from '../render/index.ts';

const SHOWN = 5;

/** At most two lines. */
export function shardNotes(changes: ShardChanges): string[] {
  const lines: string[] = [];
  const { opened, retired, fluxUnits } = changes;
  if (opened.length > 0) {
    lines.push(
      `${opened.length === 1 ? 'new shard' : 'new shards'} ${names(opened)} (shards/<shard>): ` +
        (fluxUnits
          ? `Flux applies ${opened.length === 1 ? 'it' : 'them'} through ${FLUX_UNITS_DIR}/, and Argo CD's shard ApplicationSet finds ${opened.length === 1 ? 'it' : 'them'}`
          : `Argo CD's shard ApplicationSet finds ${opened.length === 1 ? 'it' : 'them'}; with a Flux Kustomization per shard, run kaito-gitops init --tree again and apply its output`),
    );
  }
  if (retired.length > 0) {
    lines.push(
      `retired ${retired.length === 1 ? 'shard' : 'shards'} ${names(retired)}: ` +
        (fluxUnits
          ? 'the root Flux Kustomization prunes their units, Argo CD their Applications'
          : `Argo CD deletes their Applications; for Flux, kubectl -n ${FLUX_NAMESPACE} delete kustomization ${retired.map((shard) => unitName(FLUX_NAME, shard)).join(' ')}, then run kaito-gitops init --tree again`),
    );
  }
  return lines;
}

function names(shards: readonly string[]): string {
  const shown = shards.slice(0, SHOWN).join(', ');
  return shards.length > SHOWN ? `${shown} and ${shards.length - SHOWN} more` : shown;
}
