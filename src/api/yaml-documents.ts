/**
 * Safe YAML reading for untrusted files: a size limit, alias-bomb protection, duplicate keys and syntax
 * errors reported with line and column. Never throws: every failure is data.
 */
import type { Document } from 'yaml';
import { parseAllDocuments, parseDocument } from 'yaml';

/** Largest source file read, in bytes. Kaito specs are a few hundred bytes; 1 MiB is generous. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Most alias expansions per document; YAML "billion laughs" files need thousands. */
export const MAX_ALIAS_COUNT = 100;

// Kubernetes reads YAML with merge keys (`<<: *base`); keep them, and unique keys like the API server.
const PARSE_OPTIONS = { merge: true, uniqueKeys: true, prettyErrors: true, logLevel: 'error' } as const;

export interface YamlDocument {
  /** 0-based index of the document in its file (empty documents count). */
  index: number;
  /** The document as plain JSON data; undefined when it could not be read at all. */
  value: unknown;
  /** Syntax and safety errors, each `line L, column C: ...` where the parser knows the place. */
  errors: string[];
}

export type YamlFile = { ok: true; documents: YamlDocument[] } | { ok: false; error: string };

/** Splits a multi-document file and converts each document to plain data. */
export function readYamlDocuments(content: string): YamlFile {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > MAX_FILE_BYTES) {
    return {
      ok: false,
      error: `file is ${bytes} bytes, larger than the ${MAX_FILE_BYTES}-byte limit for a source file; split it into smaller files`,
    };
  }
  let parsed: Document.Parsed[];
  try {
    const all = parseAllDocuments(content, PARSE_OPTIONS);
    parsed = Array.isArray(all) ? all : [];
  } catch (error) {
    return { ok: false, error: `could not be read as YAML: ${messageOf(error)}` };
  }
  return { ok: true, documents: parsed.map((doc, index) => toDocument(doc, index)) };
}

function toDocument(doc: Document.Parsed, index: number): YamlDocument {
  const errors = doc.errors.map((e) => located(firstLine(e.message), e.linePos?.[0]));
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof ReferenceError && /alias count/i.test(error.message)) {
      errors.push(
        `too many alias expansions (more than ${MAX_ALIAS_COUNT}): the document looks like a YAML alias bomb; write the values out instead of nesting aliases`,
      );
    } else {
      errors.push(`could not be read as YAML: ${messageOf(error)}`);
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
    if (first !== undefined)
      return { ok: false, error: located(firstLine(first.message), first.linePos?.[0]) };
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

function located(message: string, position: { line: number; col: number } | undefined): string {
  return position === undefined ? message : `line ${position.line}, column ${position.col}: ${message}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
