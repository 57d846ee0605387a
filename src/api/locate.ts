/**
 * Line and column for problems: a field path (`inference.adapters[1].strength`,
 * `metadata.annotations["kaito.sh/runtime"]`) is looked up in the YAML document it came from, so
 * editors and terminals can jump to it. Used only for documents that have problems: the file is
 * parsed again here rather than keeping every document's syntax tree for the whole run.
 */
import { LineCounter, isMap, isNode, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { Problem } from '../errors.ts';

/**
 * `problems` of document `index` (0-based) of `content`, each given the line and column of its field, or
 * of the nearest enclosing field the document has. Problems that already have a line keep it.
 */
export function locateProblems(content: string, index: number, problems: readonly Problem[]): Problem[] {
  if (problems.every((p) => p.line !== undefined)) return [...problems];
  let root: Node | undefined;
  const lines = new LineCounter();
  try {
    const parsed = parseAllDocuments(content, { lineCounter: lines, logLevel: 'silent' });
    const documents = Array.isArray(parsed) ? parsed : [];
    const contents = documents[index]?.contents;
    root = isNode(contents) ? contents : undefined;
  } catch {
    return [...problems];
  }
  if (root === undefined) return [...problems];
  const top = root;
  return problems.map((p) => {
    if (p.line !== undefined) return p;
    const offset = offsetOf(top, pathSegments(p.path));
    if (offset === undefined) return p;
    const { line, col } = lines.linePos(offset);
    return { ...p, line, column: col };
  });
}

/** `a.b[2]["c.d"]` → `['a', 'b', 2, 'c.d']`; unreadable rest is dropped (the nearest field is used). */
export function pathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  const pattern = /(?:\.?([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/y;
  pattern.lastIndex = 0;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (match === null) break;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(match[3]) as string);
  }
  return segments;
}

/** Offset of the deepest node on `segments`: a mapping key where the path names one, else the value. */
function offsetOf(root: Node, segments: readonly (string | number)[]): number | undefined {
  let node: unknown = root;
  let offset = root.range?.[0];
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) break;
      offset = isNode(pair.key) ? (pair.key.range?.[0] ?? offset) : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (!isNode(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}
