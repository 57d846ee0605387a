/**
 * Where a problem is in its source file: the line of the field a problem path such as
 * `inference.adapters[1].strength` or `metadata.annotations["kaito.sh/runtime"]` names, in one YAML
 * document of the file. A field that is missing (a required one) points at its nearest parent that
 * exists, which is where the user has to add it. Pure.
 */
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';

type Segment = string | number;

/** Lines of one source file; the file is parsed once, on the first question. */
export class SourceLines {
  readonly #content: string;
  #parsed: { documents: Document.Parsed[]; lines: LineCounter } | undefined;

  constructor(content: string) {
    this.#content = content;
  }

  /** The 1-based line of `path` in document `document`; undefined when it cannot be found. */
  lineOf(document: number, path: string): number | undefined {
    const segments = parsePath(path);
    if (segments === undefined) return undefined;
    if (this.#parsed === undefined) {
      const lines = new LineCounter();
      const documents = parseAllDocuments(this.#content, { lineCounter: lines });
      this.#parsed = { documents: Array.isArray(documents) ? documents : [], lines };
    }
    const offset = offsetOf(this.#parsed.documents[document], segments);
    return offset === undefined ? undefined : this.#parsed.lines.linePos(offset).line;
  }
}

function offsetOf(doc: Document.Parsed | undefined, segments: readonly Segment[]): number | undefined {
  if (doc === undefined) return undefined;
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? doc.range[0];
  for (const segment of segments) {
    if (typeof segment === 'string' && isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (pair === undefined) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (typeof segment === 'number' && isSeq(node)) {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = (item as Node | null)?.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

const SEGMENT = /^(?:\.?([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;

/** `a.b[1]["x/y"]` → `['a', 'b', 1, 'x/y']`; undefined for text that is not such a path. */
export function parsePath(path: string): Segment[] | undefined {
  const segments: Segment[] = [];
  let rest = path;
  while (rest !== '') {
    const match = SEGMENT.exec(rest);
    if (match === null) return undefined;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(JSON.parse(match[3] ?? '""') as string);
    rest = rest.slice(match[0].length);
  }
  return segments;
}
