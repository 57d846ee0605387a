/**
 * A YAML emitter for JSON-shaped data (what Kubernetes manifests are), written for speed and for
 * readers of every YAML dialect: Go's yaml.v2/v3 (kubectl, kustomize, Flux, Argo CD), YAML 1.1
 * readers (PyYAML) and YAML 1.2 readers (the `yaml` package).
 *
 * - Keys are sorted the way cdk8s sorts them (`Object.keys().sort()`), with `apiVersion`, `kind`,
 *   `metadata` first at the top of a document.
 * - A string is written plain only when no reader can take it for anything else: `"1"`, `"true"`,
 *   `"no"`, `"null"`, `"0x1F"`, `"1e3"`, `"2024-01-01"`, `"<<"`, `""`, leading or trailing spaces,
 *   `: `, ` #`, a leading indicator (`-`, `*`, `&`, `!`, ...) are all quoted.
 * - Multi-line strings become literal block scalars (`|`, `|-`, `|+`, with an indentation indicator
 *   when the text starts with a space) unless they hold characters a block scalar cannot carry;
 *   everything else is double-quoted with escapes.
 * - Lines are never folded (cdk8s uses `lineWidth: 0` for the same reason: stable diffs).
 *
 * The `yaml` package does the same job at about 0.14 ms per Kubernetes object; this one is a few
 * microseconds, which is most of what lets a thousand Workspaces render in well under a second.
 */

/** Keys that open every Kubernetes document, in this order (as cdk8s writes them). */
const LEADING_KEYS = ['apiVersion', 'kind', 'metadata'];

/** YAML's limit on the length of an implicit (`key: value`) key. */
const MAX_IMPLICIT_KEY = 1024;

// Characters a plain or block scalar may hold: printable, not a line break in YAML 1.1 (U+0085,
// U+2028, U+2029), no byte order mark, no lone surrogate (the `u` flag rejects those).
const PRINTABLE = /^[ -~\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;
const BLOCK_PRINTABLE =
  /^[\t\n -~\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;
// A line of only spaces or tabs: readers disagree on whether it is content or a trailing empty line
// of a block scalar, so such strings are double-quoted.
const BLANK_LINE = /(?:^|\n)[ \t]+(?:\n|$)/;
// A first character that starts some other YAML construct.
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;
// null, booleans (YAML 1.1 has y/n/yes/no/on/off), the 1.1 merge key and value key.
const SPECIAL_WORD = /^(?:~|null|true|false|yes|no|on|off|y|n|<<|=)$/i;
// Numbers in any dialect: decimal, 1.1 octal `0777`, `1_000`, sexagesimal `1:30`, floats, exponents
// (YAML 1.1's float pattern matches `.` and `..`; the `yaml` package reads `e9` as a 1.1 float).
// Anything made only of these characters and holding a digit or a dot is quoted; that also quotes
// harmless strings like `1.2.3`, which costs nothing.
const NUMBER_CHARS = /^[-+0-9_.:eE]+$/;
const DIGIT_OR_DOT = /[0-9.]/;
const RADIX_NUMBER = /^[-+]?0[xob][0-9a-f_]*$/i;
const INF_NAN = /^[-+]?\.(?:inf|nan)$/i;
// YAML 1.1 timestamps (`2001-12-14`, `2001-12-14t21:59:43.10-05:00`).
const TIMESTAMP_START = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;

// What double-quoted strings must escape: quotes, backslash, control characters, YAML 1.1 line
// breaks, BOM and non-characters, lone surrogates.
const NEEDS_ESCAPE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /["\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\0': '\\0',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/** Serializes one JSON-shaped value as one YAML document (no `---`), ending with a newline. */
export function emitYaml(value: unknown): string {
  if (isCollection(value)) {
    if (Array.isArray(value)) return value.length === 0 ? '[]\n' : sequence(value, '');
    const keys = sortedKeys(value, true);
    return keys.length === 0 ? '{}\n' : mapping(value, keys, '');
  }
  if (typeof value === 'string' && value.includes('\n')) {
    // A document-level block scalar would need an indentation indicator relative to column -1;
    // double quotes are simpler and top-level strings never occur in manifests.
    return `${isPlainSafe(value) ? value : doubleQuoted(value)}\n`;
  }
  return `${scalar(value)}\n`;
}

/** Serializes several documents into one multi-document stream (`---` between documents). */
export function emitYamlDocuments(values: readonly unknown[]): string {
  return values.map(emitYaml).join('---\n');
}

/** Whether `text` can be written as a plain (unquoted) scalar and read back as the same string. */
export function isPlainSafe(text: string): boolean {
  if (text === '' || text.length > MAX_IMPLICIT_KEY) return false;
  if (text[0] === ' ' || text[text.length - 1] === ' ') return false;
  if (INDICATOR_START.test(text) || text.startsWith('...')) return false;
  if (text.includes(': ') || text.includes(' #') || text.endsWith(':')) return false;
  if (SPECIAL_WORD.test(text)) return false;
  if (NUMBER_CHARS.test(text) && DIGIT_OR_DOT.test(text)) return false;
  if (RADIX_NUMBER.test(text) || INF_NAN.test(text) || TIMESTAMP_START.test(text)) return false;
  return PRINTABLE.test(text);
}

/** `"..."` with YAML escapes; valid for every string. */
export function doubleQuoted(text: string): string {
  return `"${text.replace(NEEDS_ESCAPE, escapeChar)}"`;
}

function escapeChar(char: string): string {
  const short = SHORT_ESCAPES[char];
  if (short !== undefined) return short;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
}

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, '0');
}

function isCollection(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

function sortedKeys(object: Record<string, unknown> | unknown[], root: boolean): string[] {
  if (Array.isArray(object) || !isPlainObject(object)) {
    throw new TypeError(`cannot write ${describe(object)} as YAML: only plain objects, arrays and scalars`);
  }
  const keys = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort();
  if (!root) return keys;
  const leading = LEADING_KEYS.filter((key) => keys.includes(key));
  return leading.length === 0 ? keys : [...leading, ...keys.filter((key) => !LEADING_KEYS.includes(key))];
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  return (value.constructor as { name?: string } | undefined)?.name ?? 'object';
}

/**
 * A block mapping at `indent`. With `firstPrefix` the first line starts with it instead of the
 * indentation: `''` continues a line that already holds `- ` or `: ` (compact notation).
 */
function mapping(
  object: Record<string, unknown>,
  keys: string[],
  indent: string,
  firstPrefix?: string,
): string {
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const prefix = i === 0 ? (firstPrefix ?? indent) : indent;
    const written = isPlainSafe(key) ? key : doubleQuoted(key);
    if (written.length <= MAX_IMPLICIT_KEY) {
      out += `${prefix}${written}:${valueAfterKey(object[key], indent)}`;
    } else {
      // Longer keys must be explicit (`? key` / `: value`); the value is then written compactly.
      out += `${prefix}? ${written}\n${indent}:${compactValue(object[key], indent)}`;
    }
  }
  return out;
}

/** A block sequence; `firstPrefix` as for {@link mapping}. */
function sequence(items: unknown[], indent: string, firstPrefix?: string): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    out += `${i === 0 ? (firstPrefix ?? indent) : indent}-${compactValue(items[i], indent)}`;
  }
  return out;
}

/** What follows `key:` — a scalar on the same line, or a nested collection on the next lines. */
function valueAfterKey(value: unknown, indent: string): string {
  if (!isCollection(value)) return inlineScalar(value, indent);
  const inner = `${indent}  `;
  if (Array.isArray(value)) return value.length === 0 ? ' []\n' : `\n${sequence(value, inner)}`;
  const keys = sortedKeys(value, false);
  return keys.length === 0 ? ' {}\n' : `\n${mapping(value, keys, inner)}`;
}

/** What follows `-` (or an explicit key's `:`): nested collections start on the same line. */
function compactValue(value: unknown, indent: string): string {
  if (!isCollection(value)) return inlineScalar(value, indent);
  const inner = `${indent}  `;
  if (Array.isArray(value)) return value.length === 0 ? ' []\n' : ` ${sequence(value, inner, '')}`;
  const keys = sortedKeys(value, false);
  return keys.length === 0 ? ' {}\n' : ` ${mapping(value, keys, inner, '')}`;
}

function inlineScalar(value: unknown, indent: string): string {
  if (
    typeof value === 'string' &&
    value.includes('\n') &&
    BLOCK_PRINTABLE.test(value) &&
    !BLANK_LINE.test(value)
  ) {
    return blockScalar(value, `${indent}  `);
  }
  return ` ${scalar(value)}\n`;
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return isPlainSafe(value) ? value : doubleQuoted(value);
    case 'number':
      return numberText(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      // Only reachable inside arrays, where JSON writes undefined as null too.
      return 'null';
    case 'object':
      if (value === null) return 'null';
      break;
    default:
      break;
  }
  throw new TypeError(`cannot write a ${describe(value)} as YAML`);
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as YAML: not a JSON number`);
  if (Object.is(value, -0)) return '-0';
  const text = String(value);
  // YAML 1.1 floats need a dot: `1e+21` would read back as a string there.
  const exponent = text.indexOf('e');
  return exponent > 0 && !text.slice(0, exponent).includes('.')
    ? `${text.slice(0, exponent)}.0${text.slice(exponent)}`
    : text;
}

/** ` |` / ` |-` / ` |+` (with an indentation indicator when needed), then the lines. */
function blockScalar(text: string, contentIndent: string): string {
  let trailing = 0;
  while (trailing < text.length && text[text.length - 1 - trailing] === '\n') trailing++;
  const body = text.slice(0, text.length - trailing);
  // Clip keeps exactly one final newline, and only after some content.
  const chomp = trailing === 0 ? '-' : trailing === 1 && body !== '' ? '' : '+';
  const lines = text.split('\n');
  if (trailing > 0) lines.pop(); // the empty string after the final newline
  const firstContent = lines.find((line) => line !== '');
  const indicator = firstContent !== undefined && firstContent.startsWith(' ') ? '2' : '';
  let out = ` |${indicator}${chomp}\n`;
  for (const line of lines) out += line === '' ? '\n' : `${contentIndent}${line}\n`;
  return out;
}
