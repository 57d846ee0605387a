/**
 * Names of the Applications the Argo CD ApplicationSets generate. One per shard: render's `unitName`
 * ({@link shardApplicationNameTemplate}). One per Workspace directory
 * (`workspaces/<namespace>/<name>`): `kaito-<namespace>-<name>`, which can pass the 63 characters Argo CD
 * allows (the name becomes a label value). Longer names are cut to 54 characters and get `-` and the
 * first 8 hex digits of the full name's SHA-256, so two long names that share a prefix stay apart. The
 * ApplicationSet renders the name with its Go template functions (Sprig); {@link applicationName} is the
 * same rule in TypeScript, for messages and tests.
 */
import { createHash } from 'node:crypto';
import { MAX_UNIT_NAME, UNIT_HASH_LENGTH, UNIT_NAME_KEEP } from '../render/index.ts';

export const MAX_APPLICATION_NAME = 63;
const HASH_LENGTH = 8;
const KEEP = MAX_APPLICATION_NAME - HASH_LENGTH - 1;

export function applicationName(namespace: string, name: string): string {
  const full = `kaito-${namespace}-${name}`;
  if (full.length <= MAX_APPLICATION_NAME) return full;
  const head = full.slice(0, KEEP).replace(/-$/, '');
  return `${head}-${createHash('sha256').update(full).digest('hex').slice(0, HASH_LENGTH)}`;
}

/**
 * The ApplicationSet template for the name; `namespaceSegment` is the index of the namespace in
 * `.path.segments` (the deploy path's depth plus one).
 */
export function applicationNameTemplate(namespaceSegment: number): string {
  const full = `printf "kaito-%s-%s" (index .path.segments ${namespaceSegment}) .path.basename`;
  return (
    `{{ $name := ${full} }}` +
    `{{ if le (len $name) ${MAX_APPLICATION_NAME} }}{{ $name }}` +
    `{{ else }}{{ trunc ${KEEP} $name | trimSuffix "-" }}-{{ sha256sum $name | trunc ${HASH_LENGTH} }}{{ end }}`
  );
}

/**
 * The ApplicationSet template for the name of a shard's Application (`<path>/shards/<shard>`):
 * render's `unitName(prefix, shard)`, the name `init` gave the same Application before the
 * ApplicationSet, so that the ApplicationSet adopts it rather than replacing it.
 */
export function shardApplicationNameTemplate(prefix: string): string {
  return (
    `{{ $name := printf "${prefix}-%s" .path.basename }}` +
    `{{ if le (len $name) ${MAX_UNIT_NAME} }}{{ $name }}` +
    `{{ else }}{{ regexReplaceAll "[.-]+$" (trunc ${UNIT_NAME_KEEP} $name) "" }}-{{ sha256sum $name | trunc ${UNIT_HASH_LENGTH} }}{{ end }}`
  );
}

/** The ApplicationSet template for a shard's namespace: its directory's name up to the first dot. */
export const SHARD_NAMESPACE_TEMPLATE = '{{ index (splitList "." .path.basename) 0 }}';
