/**
 * Go `text/template` (with the Sprig and Helm functions our templates use), so Helm charts and Argo CD
 * ApplicationSet templates can be rendered in tests without `helm` or `argocd` (neither can be installed
 * here). Covered: text, comments, `{{-`/`-}}` trimming, fields of `.` and `$`, variables (`:=`, `=`),
 * pipelines, parenthesised commands, string/number/bool literals, `if`/`else if`/`else`, `with`, `range`
 * over lists and maps, `define`, `template`, and the functions in {@link FUNCTIONS}. A missing field, an
 * unknown function or any other construct throws: a template no test can render cannot slip through.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';

type Value = unknown;
type Scope = { dot: Value; root: Value; vars: Map<string, Value> };

interface Text {
  type: 'text';
  text: string;
}
interface Action {
  type: 'action';
  body: string;
}
type Token = Text | Action;

const ACTION = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of template.matchAll(ACTION)) {
    let text = template.slice(last, match.index);
    if (match[1] !== undefined) text = text.replace(/\s+$/, '');
    tokens.push({ type: 'text', text });
    tokens.push({ type: 'action', body: match[2]!.trim() });
    last = match.index + match[0].length;
    if (match[3] !== undefined) {
      const rest = template.slice(last);
      last += rest.length - rest.replace(/^\s+/, '').length;
    }
  }
  tokens.push({ type: 'text', text: template.slice(last) });
  return tokens.filter((t) => t.type === 'action' || t.text !== '');
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'print'; pipe: string }
  | { kind: 'if'; branches: { pipe: string; body: Node[] }[]; otherwise: Node[] }
  | { kind: 'with'; pipe: string; body: Node[]; otherwise: Node[] }
  | { kind: 'range'; pipe: string; body: Node[]; otherwise: Node[] }
  | { kind: 'template'; name: string; pipe: string };

/** Parses tokens into nodes; `define`d templates go into `defines`. */
function parse(tokens: Token[], defines: Map<string, Node[]>): Node[] {
  let i = 0;
  function block(stops: readonly string[]): { nodes: Node[]; stop: string } {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const token = tokens[i++]!;
      if (token.type === 'text') {
        nodes.push({ kind: 'text', text: token.text });
        continue;
      }
      const body = token.body;
      if (body.startsWith('/*')) {
        if (!body.endsWith('*/')) throw new Error(`unterminated comment: {{${body}}}`);
        continue;
      }
      const word = body.split(/\s+/)[0]!;
      if (stops.includes(word) || (word === 'else' && stops.includes('else'))) return { nodes, stop: body };
      const rest = body.slice(word.length).trim();
      if (word === 'if') {
        const branches: { pipe: string; body: Node[] }[] = [];
        let pipe = rest;
        let otherwise: Node[] = [];
        for (;;) {
          const part = block(['else', 'end']);
          branches.push({ pipe, body: part.nodes });
          if (part.stop === 'end') break;
          const elseRest = part.stop.slice('else'.length).trim();
          if (elseRest.startsWith('if ')) {
            pipe = elseRest.slice(3).trim();
            continue;
          }
          if (elseRest !== '') throw new Error(`unsupported: {{${part.stop}}}`);
          otherwise = block(['end']).nodes;
          break;
        }
        nodes.push({ kind: 'if', branches, otherwise });
      } else if (word === 'with' || word === 'range') {
        const part = block(['else', 'end']);
        const otherwise = part.stop === 'end' ? [] : block(['end']).nodes;
        nodes.push({ kind: word, pipe: rest, body: part.nodes, otherwise });
      } else if (word === 'define') {
        const name = JSON.parse(rest) as string;
        defines.set(name, block(['end']).nodes);
      } else if (word === 'template') {
        const match = /^("(?:[^"\\]|\\.)*")\s*(.*)$/.exec(rest);
        if (match === null) throw new Error(`unsupported: {{${body}}}`);
        nodes.push({ kind: 'template', name: JSON.parse(match[1]!) as string, pipe: match[2]! });
      } else if (word === 'end' || word === 'else') {
        throw new Error(`{{${body}}} without a block`);
      } else nodes.push({ kind: 'print', pipe: body });
    }
    if (stops.length > 0) throw new Error(`missing {{end}} (looking for ${stops.join(' or ')})`);
    return { nodes, stop: '' };
  }
  return block([]).nodes;
}

/** Splits an action into argument tokens, respecting quotes and parentheses. */
function words(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' && c === '"' ? 2 : 1;
      out.push(text.slice(i, j + 1));
      i = j + 1;
    } else if (c === '(') {
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')' && --depth === 0) break;
        else if (text[j] === '"') {
          j++;
          while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
        }
      }
      out.push(text.slice(i, j + 1));
      i = j + 1;
    } else if (c === '|') {
      out.push('|');
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s|()]/.test(text[j]!)) j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

function truthy(value: Value): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function field(value: Value, path: string[], text: string): Value {
  let current = value;
  for (const part of path) {
    if (typeof current !== 'object' || current === null || !(part in current))
      throw new Error(`${text}: no such value`);
    current = (current as Record<string, Value>)[part];
  }
  return current;
}

function show(value: Value): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`cannot print ${JSON.stringify(value)}`);
}

function printf(format: string, ...args: Value[]): string {
  let n = 0;
  return format.replace(/%([sdvq%])/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[n++];
    if (verb === 'q') return JSON.stringify(show(arg));
    return show(arg);
  });
}

const indentLines = (spaces: number, text: string): string =>
  text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');

/** The functions templates may call (Go builtins, Sprig and Helm's `include`, `toYaml`, `required`). */
const FUNCTIONS: Record<string, (...args: Value[]) => Value> = {
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => (a as number) < (b as number),
  le: (a, b) => (a as number) <= (b as number),
  gt: (a, b) => (a as number) > (b as number),
  ge: (a, b) => (a as number) >= (b as number),
  and: (...xs) => xs.reduce((acc, x) => (truthy(acc) ? x : acc)),
  or: (...xs) => xs.find(truthy) ?? xs.at(-1),
  not: (x) => !truthy(x),
  len: (x) => (typeof x === 'string' || Array.isArray(x) ? x.length : Object.keys(x as object).length),
  index: (x, ...keys) => keys.reduce((v, k) => (v as Record<string, Value>)[k as string], x),
  printf: (format, ...args) => printf(format as string, ...args),
  print: (...args) => args.map(show).join(''),
  trunc: (n, s) => {
    const text = show(s);
    const count = n as number;
    return count >= 0 ? text.slice(0, count) : text.slice(count);
  },
  trimSuffix: (suffix, s) =>
    show(s).endsWith(show(suffix)) ? show(s).slice(0, -show(suffix).length || undefined) : show(s),
  trimPrefix: (prefix, s) =>
    show(s).startsWith(show(prefix)) ? show(s).slice(show(prefix).length) : show(s),
  replace: (from, to, s) => show(s).split(show(from)).join(show(to)),
  // Go's RE2 and JavaScript agree on the simple patterns templates use; `$` in repl is not expanded here.
  regexReplaceAll: (regex, s, repl) => show(s).replace(new RegExp(show(regex), 'g'), () => show(repl)),
  splitList: (sep, s) => show(s).split(show(sep)),
  contains: (needle, s) => show(s).includes(show(needle)),
  lower: (s) => show(s).toLowerCase(),
  upper: (s) => show(s).toUpperCase(),
  quote: (...xs) => xs.map((x) => JSON.stringify(show(x))).join(' '),
  squote: (...xs) => xs.map((x) => `'${show(x)}'`).join(' '),
  default: (fallback, value) => (truthy(value) ? value : fallback),
  required: (message, value) => {
    if (value === undefined || value === null || value === '') throw new Error(show(message));
    return value;
  },
  fail: (message) => {
    throw new Error(show(message));
  },
  sha256sum: (s) => createHash('sha256').update(show(s)).digest('hex'),
  toYaml: (v) => (v === undefined || v === null ? '' : stringify(v, { lineWidth: 0 }).replace(/\n$/, '')),
  indent: (n, s) => indentLines(n as number, show(s)),
  nindent: (n, s) => `\n${indentLines(n as number, show(s))}`,
};

export class GoTemplate {
  readonly #defines = new Map<string, Node[]>();
  readonly #files = new Map<string, Node[]>();

  /** Adds a template file (its `define`s become callable from every file). */
  add(name: string, text: string): this {
    this.#files.set(name, parse(tokenize(text), this.#defines));
    return this;
  }

  /** Renders one added file with `data` as `.` and `$`. */
  render(name: string, data: Value): string {
    const nodes = this.#files.get(name);
    if (nodes === undefined) throw new Error(`no template ${name}`);
    return this.#run(nodes, { dot: data, root: data, vars: new Map([['$', data]]) });
  }

  #run(nodes: readonly Node[], scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out += node.text;
          break;
        case 'print': {
          const assign = /^(\$\w+)\s*(:?=)\s*(.*)$/.exec(node.pipe);
          if (assign !== null) scope.vars.set(assign[1]!, this.#pipe(assign[3]!, scope));
          else out += show(this.#pipe(node.pipe, scope));
          break;
        }
        case 'if': {
          const branch = node.branches.find((b) => truthy(this.#pipe(b.pipe, scope)));
          out += this.#run(branch?.body ?? node.otherwise, scope);
          break;
        }
        case 'with': {
          const value = this.#pipe(node.pipe, scope);
          out += truthy(value)
            ? this.#run(node.body, { ...scope, dot: value, vars: new Map(scope.vars) })
            : this.#run(node.otherwise, scope);
          break;
        }
        case 'range': {
          const value = this.#pipe(node.pipe, scope);
          const items: Value[] = Array.isArray(value)
            ? value
            : typeof value === 'object' && value !== null
              ? Object.keys(value)
                  .sort()
                  .map((k) => (value as Record<string, Value>)[k])
              : [];
          if (items.length === 0) out += this.#run(node.otherwise, scope);
          for (const item of items)
            out += this.#run(node.body, { ...scope, dot: item, vars: new Map(scope.vars) });
          break;
        }
        case 'template':
          out += this.#include(node.name, node.pipe === '' ? undefined : this.#pipe(node.pipe, scope), scope);
          break;
      }
    }
    return out;
  }

  #include(name: string, data: Value, scope: Scope): string {
    const nodes = this.#defines.get(name);
    if (nodes === undefined) throw new Error(`template "${name}" is not defined`);
    return this.#run(nodes, { dot: data, root: scope.root, vars: new Map([['$', scope.root]]) });
  }

  #pipe(text: string, scope: Scope): Value {
    const parts = words(text);
    const commands: string[][] = [[]];
    for (const part of parts) {
      if (part === '|') commands.push([]);
      else commands.at(-1)!.push(part);
    }
    let value: Value;
    commands.forEach((command, i) => {
      value = this.#command(command, scope, i === 0 ? [] : [value]);
    });
    return value;
  }

  #command(command: string[], scope: Scope, piped: Value[]): Value {
    const [head, ...rest] = command;
    if (head === undefined) throw new Error('empty command');
    if (head === 'include') {
      const [name, arg] = rest.map((r) => this.#arg(r, scope));
      return this.#include(show(name), piped.length > 0 ? piped[0] : arg, scope);
    }
    const fn = FUNCTIONS[head];
    if (fn !== undefined) return fn(...rest.map((r) => this.#arg(r, scope)), ...piped);
    if (rest.length > 0 || piped.length > 0) throw new Error(`unknown function ${head}`);
    return this.#arg(head, scope);
  }

  #arg(word: string, scope: Scope): Value {
    if (word.startsWith('(')) return this.#pipe(word.slice(1, -1), scope);
    if (word.startsWith('"')) return JSON.parse(word) as string;
    if (word.startsWith('`')) return word.slice(1, -1);
    if (/^-?\d+$/.test(word)) return Number(word);
    if (word === 'true' || word === 'false') return word === 'true';
    if (word === 'nil') return null;
    if (word === '.') return scope.dot;
    if (word.startsWith('.')) return field(scope.dot, word.slice(1).split('.'), word);
    if (word.startsWith('$')) {
      const [name, ...path] = word.split('.');
      if (!scope.vars.has(name!)) throw new Error(`undefined variable ${name}`);
      return field(scope.vars.get(name!), path, word);
    }
    throw new Error(`unknown function ${word}`);
  }
}

/** Every action's text in a template, for asserting which values a chart reads. */
export function templateActions(template: string): string[] {
  return tokenize(template).flatMap((t) => (t.type === 'action' ? [t.body] : []));
}
