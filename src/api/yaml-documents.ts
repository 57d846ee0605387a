/**
 * Safe YAML reading for untrusted files: a size limit, a nesting limit, alias-bomb protection, duplicate
 * keys and syntax errors reported with line and column. Never throws: every failure is data.
 */
import type { CST, Document } from 'yaml';
import { LineCounter, Parser, parseAllDocuments, parseDocument } from 'yaml';
import type { Problem } from '../errors.ts';

/** Largest source file read, in bytes. Kaito specs are a few hundred bytes; 1 MiB is generous. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Most alias expansions per document; YAML "billion laughs" files need thousands. */
export const MAX_ALIAS_COUNT = 100;
/**
 * Deepest nesting of mappings and lists read. A Kaito Workspace needs about 12 (a template pod's
 * `env[].valueFrom.configMapKeyRef`); without a limit a file of brackets exhausts the parser's stack.
 */
export const MAX_DEPTH = 64;

// Kubernetes reads YAML with merge keys (`<<: *base`); keep them, and unique keys like the API server.
const PARSE_OPTIONS = { merge: true, uniqueKeys: true, prettyErrors: true, logLevel: 'error' } as const;

export interface YamlDocument {
  /** 0-based index of the document in its file (empty documents count). */
  index: number;
  /** The document as plain JSON data; undefined when it could not be read at all. */
  value: unknown;
  /** Syntax and safety errors (path empty), with line and column where the parser knows the place. */
  errors: Problem[];
}

export type YamlFile = { ok: true; documents: YamlDocument[] } | { ok: false; error: Problem };

/** Splits a multi-document file and converts each document to plain data. */
export function readYamlDocuments(content: string): YamlFile {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > MAX_FILE_BYTES) return { ok: false, error: { path: '', message: tooLarge(bytes) } };
  const deep = tooDeep(content);
  if (deep !== undefined) return { ok: false, error: deep };
  let parsed: Document.Parsed[];
  try {
    const all = parseAllDocuments(content, PARSE_OPTIONS);
    parsed = Array.isArray(all) ? all : [];
  } catch (error) {
    return { ok: false, error: { path: '', message: `could not be read as YAML: ${messageOf(error)}` } };
  }
  return { ok: true, documents: parsed.map((doc, index) => toDocument(doc, index)) };
}

/** The message for a file over {@link MAX_FILE_BYTES}, stating its real size. */
export function tooLarge(bytes: number): string {
  return `file is ${bytes} bytes (${mebibytes(bytes)}), larger than the ${MAX_FILE_BYTES}-byte (1 MiB) limit for a source file; split it into smaller files`;
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 2 : 0)} MiB`;
}

/**
 * A problem when some mapping or list in `content` nests deeper than {@link MAX_DEPTH}. Reads the
 * concrete syntax tree, which the parser builds without recursion, and walks it with its own stack.
 */
function tooDeep(content: string): Problem | undefined {
  const lines = new LineCounter();
  for (const token of new Parser(lines.addNewLine).parse(content)) {
    if (token.type !== 'document' || token.value === undefined) continue;
    const stack: [CST.Token, number][] = [[token.value, 1]];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      const [node, depth] = next;
      if (
        !('items' in node) ||
        (node.type !== 'block-map' && node.type !== 'block-seq' && node.type !== 'flow-collection')
      )
        continue;
      if (depth > MAX_DEPTH) {
        const { line, col } = lines.linePos(node.offset);
        return {
          path: '',
          line,
          column: col,
          message: `mappings and lists nest deeper than ${MAX_DEPTH} levels here; no Kubernetes object needs that many, so the file is not read: flatten it`,
        };
      }
      for (const item of node.items) {
        const children: (CST.Token | null | undefined)[] = ['key' in item ? item.key : undefined, item.value];
        for (const child of children) if (child) stack.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

function toDocument(doc: Document.Parsed, index: number): YamlDocument {
  const errors: Problem[] = doc.errors.map((e) => located(firstLine(e.message), e.linePos?.[0]));
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof ReferenceError && /alias count/i.test(error.message)) {
      errors.push({
        path: '',
        message: `too many alias expansions (more than ${MAX_ALIAS_COUNT}): the document looks like a YAML alias bomb; write the values out instead of nesting aliases`,
      });
    } else {
      errors.push({ path: '', message: `could not be read as YAML: ${messageOf(error)}` });
    }
    value = undefined;
  }
  return { index, value, errors };
}

export type YamlValue = { ok: true; value: unknown } | { ok: false; error: string };

/** One YAML document embedded in another (a ConfigMap's `inference_config.yaml`), read as safely. */
export function readYamlValue(content: string): YamlValue {
  try {
    const doc = parseDocument(content, PARSE_OPTIONS);
    const first = doc.errors[0];
    if (first !== undefined) {
      const position = first.linePos?.[0];
      const at = position === undefined ? '' : `line ${position.line}, column ${position.col}: `;
      return { ok: false, error: `${at}${firstLine(first.message)}` };
    }
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    return { ok: false, error: messageOf(error) };
  }
}

/** The parser's own message without its trailing "at line L, column C" and source excerpt. */
function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

function located(message: string, position: { line: number; col: number } | undefined): Problem {
  return position === undefined
    ? { path: '', message }
    : { path: '', message, line: position.line, column: position.col };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
