/**
 * Names of the Applications the Argo CD ApplicationSet generates, one per Workspace directory
 * (`workspaces/<namespace>/<name>`): `kaito-<namespace>-<name>`, which can pass the 63 characters Argo CD
 * allows (the name becomes a label value). Longer names are cut to 54 characters and get `-` and the
 * first 8 hex digits of the full name's SHA-256, so two long names that share a prefix stay apart. The
 * ApplicationSet renders the name with its Go template functions (Sprig); {@link applicationName} is the
 * same rule in TypeScript, for messages and tests.
 */
import { createHash } from 'node:crypto';

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
