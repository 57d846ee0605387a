/**
 * Label and field selectors as `?labelSelector=` / `?fieldSelector=` carry them, mirroring
 * k8s.io/apimachinery/pkg/labels and pkg/fields: `=`, `==`, `!=`, `in`, `notin`, `key`, `!key` for labels;
 * `=`, `==`, `!=` on a per-kind set of supported fields.
 */
import { badRequest } from './errors.ts';
import type { KindDef } from './registry.ts';
import type { KubeObject } from './object.ts';
import { getPath } from './object.ts';

/** A compiled selector: true when the object matches. */
export type Selector = (obj: KubeObject) => boolean;

interface Requirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

/** Splits at commas outside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

function parseRequirement(term: string): Requirement {
  const setMatch = /^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (setMatch) {
    const values = (setMatch[3] ?? '').split(',').map((v) => v.trim());
    return { key: setMatch[1] ?? '', op: setMatch[2] as 'in' | 'notin', values };
  }
  const opMatch = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
  if (opMatch) {
    const op = opMatch[2] === '!=' ? 'notin' : 'in';
    return { key: opMatch[1] ?? '', op, values: [opMatch[3] ?? ''] };
  }
  const exists = /^(!?)([^\s!=()]+)$/.exec(term);
  if (exists) return { key: exists[2] ?? '', op: exists[1] ? '!exists' : 'exists', values: [] };
  throw badRequest(`unable to parse requirement: ${JSON.stringify(term)}`);
}

export function parseLabelSelector(text: string | null): Selector {
  if (!text) return () => true;
  const reqs = splitTerms(text).map(parseRequirement);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return reqs.every((r) => {
      const has = Object.hasOwn(labels, r.key);
      const value = labels[r.key];
      switch (r.op) {
        case 'exists':
          return has;
        case '!exists':
          return !has;
        case 'in':
          return has && r.values.includes(value ?? '');
        case 'notin':
          return !has || !r.values.includes(value ?? '');
      }
    });
  };
}

/** Fields each kind can be selected on (besides metadata.name and metadata.namespace). */
const KIND_FIELDS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'reason',
    'type',
    'source',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
};

export function parseFieldSelector(text: string | null, kind: KindDef): Selector {
  if (!text) return () => true;
  const allowed = ['metadata.name', 'metadata.namespace', ...(KIND_FIELDS[kind.kind] ?? [])];
  const reqs = splitTerms(text).map((term) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = (m[1] ?? '').trim();
    if (!allowed.includes(field)) {
      throw badRequest(`"${field}" is not a known field selector: only "${allowed.join('", "')}"`);
    }
    return { field, negate: m[2] === '!=', value: (m[3] ?? '').trim() };
  });
  return (obj) =>
    reqs.every((r) => {
      const raw = getPath(obj, r.field);
      const value =
        typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '';
      return r.negate ? value !== r.value : value === r.value;
    });
}
