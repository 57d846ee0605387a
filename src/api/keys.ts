/**
 * Ordering and keys every folder uses for output that must be byte-stable: strings compared by UTF-16
 * code unit (the same on every machine and locale, unlike `localeCompare`), objects ordered by namespace
 * then name, and the `namespace/name` key (unambiguous: `/` occurs in neither).
 */

/** Code-unit order: the same on every machine and in every locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders by namespace, then name, in code-unit order. */
export function compareNamespaced(
  a: { namespace: string; name: string },
  b: { namespace: string; name: string },
): number {
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name);
}

/** `namespace/name`. */
export function namespacedKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The namespace and name of a {@link namespacedKey}. */
export function splitNamespacedKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The {@link namespacedKey} of anything with a namespace and a name. */
export function keyOf(ref: { namespace: string; name: string }): string {
  return namespacedKey(ref.namespace, ref.name);
}
