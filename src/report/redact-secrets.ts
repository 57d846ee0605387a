/**
 * Secret values never reach a comment. A rendered file holding a Secret (the pipeline renders none
 * today, but a pass-through of SOPS-encrypted Secrets would) has each `data` / `stringData` value
 * replaced before it is diffed:
 * the diff still says which keys were added, removed or changed, never what they hold (not even a
 * hash, which would give short values away).
 */
import { Scalar, isMap, isScalar, parseAllDocuments, stringify } from 'yaml';

export const REDACTED = '<redacted>';
export const REDACTED_CHANGED = '<redacted, changed>';
const NOT_SHOWN = '# a Secret that could not be read: not shown\n';
const VALUE_KEYS = ['data', 'stringData'] as const;

/**
 * The base and head text of one rendered file with Secret values masked; files without a Secret come
 * back as they are. A head value that differs from the base value of the same key is marked changed.
 */
export function redactSecrets(
  base: string | undefined,
  head: string | undefined,
): [string | undefined, string | undefined] {
  const before = masked(base, () => REDACTED);
  const after = masked(head, (id, value) =>
    before.values.has(id) && before.values.get(id) !== value ? REDACTED_CHANGED : REDACTED,
  );
  return [before.text, after.text];
}

/** `text` with every Secret value replaced by `mask(id, value)`, and the values it had by id. */
function masked(
  text: string | undefined,
  mask: (id: string, value: string) => string,
): { text: string | undefined; values: Map<string, string> } {
  const values = new Map<string, string>();
  // Cheap test first: a rendered file that never says "Secret" holds none.
  if (text === undefined || !text.includes('Secret')) return { text, values };
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents) || documents.some((d) => d.errors.length > 0)) {
    return { text: NOT_SHOWN, values };
  }
  const out: string[] = [];
  for (const [index, doc] of documents.entries()) {
    if (doc.get('kind') === 'Secret') {
      for (const key of VALUE_KEYS) {
        const map = doc.get(key, true);
        if (!isMap(map)) continue;
        for (const pair of map.items) {
          const name = isScalar(pair.key) ? String(pair.key.value) : stringify(pair.key);
          const value = isScalar(pair.value) ? String(pair.value.value) : stringify(pair.value);
          const id = `${index}/${key}/${name}`;
          values.set(id, value);
          pair.value = new Scalar(mask(id, value));
        }
      }
    }
    out.push(doc.toString());
  }
  return { text: out.join('---\n'), values };
}
