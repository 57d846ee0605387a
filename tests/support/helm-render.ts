/**
 * The part of Helm's Go templating the chart uses, so the chart can be rendered without `helm` (which
 * cannot be installed here): text, `{{ .Values.a.b }}`, `{{ .Release.Namespace }}`,
 * `{{- if eq .Values.x "v" }}`, `{{- if or (eq …) (eq …) }}`, `{{- end }}`, and Go's whitespace trimming
 * (`{{-` drops the whitespace before an action, `-}}` the whitespace after). Anything else throws, so a
 * template construct no test renders cannot slip into the chart. A missing value throws too (Helm would
 * print `<no value>`).
 */

export interface HelmContext {
  Values: Record<string, unknown>;
  Release: { Namespace: string };
}

type Token = { text: string } | { action: string; trimLeft: boolean; trimRight: boolean };

const ACTION = /\{\{(-?)(\s*)(.*?)(\s*)(-?)\}\}/gs;

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of template.matchAll(ACTION)) {
    tokens.push({ text: template.slice(last, match.index) });
    const [, left, spaceLeft, body, spaceRight, right] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    // Go requires a space between the trim marker and the action.
    if ((left === '-' && spaceLeft === '') || (right === '-' && spaceRight === '')) {
      throw new Error(`malformed trim marker in ${match[0]}`);
    }
    tokens.push({ action: body, trimLeft: left === '-', trimRight: right === '-' });
    last = match.index + match[0].length;
  }
  tokens.push({ text: template.slice(last) });
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!('action' in token)) continue;
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    if (token.trimLeft && before && 'text' in before) before.text = before.text.replace(/\s+$/, '');
    if (token.trimRight && after && 'text' in after) after.text = after.text.replace(/^\s+/, '');
  }
  return tokens;
}

function lookup(path: string, context: HelmContext): unknown {
  const parts = path.split('.').slice(1);
  let value: unknown = context;
  for (const part of parts) {
    if (typeof value !== 'object' || value === null || !(part in value)) {
      throw new Error(`${path}: no such value`);
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const PATH = /^\.(Values(\.[A-Za-z_][A-Za-z0-9_]*)+|Release\.Namespace)$/;
const EQ = /^eq (\S+) "([^"\\]*)"$/;

function condition(text: string, context: HelmContext): boolean {
  const eq = EQ.exec(text);
  if (eq !== null && PATH.test(eq[1]!)) return lookup(eq[1]!, context) === eq[2];
  if (text.startsWith('or ')) {
    const parts = [...text.slice(3).matchAll(/\(([^()]*)\)/g)].map((m) => m[1]!);
    if (parts.length < 2 || parts.map((p) => `(${p})`).join(' ') !== text.slice(3)) {
      throw new Error(`unsupported condition: ${text}`);
    }
    return parts.some((part) => condition(part, context));
  }
  throw new Error(`unsupported condition: ${text}`);
}

function print(value: unknown, path: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw new Error(`${path} is ${typeof value}, not a scalar`);
}

export function renderTemplate(template: string, context: HelmContext): string {
  const out: string[] = [];
  const stack: boolean[] = [];
  const active = (): boolean => stack.every(Boolean);
  for (const token of tokenize(template)) {
    if ('text' in token) {
      if (active()) out.push(token.text);
      continue;
    }
    const body = token.action;
    if (body.startsWith('if ')) stack.push(condition(body.slice(3), context));
    else if (body === 'end') {
      if (stack.pop() === undefined) throw new Error('{{ end }} without {{ if }}');
    } else if (PATH.test(body)) {
      if (active()) out.push(print(lookup(body, context), body));
    } else throw new Error(`unsupported template action: {{ ${body} }}`);
  }
  if (stack.length > 0) throw new Error('{{ if }} without {{ end }}');
  return out.join('');
}

/** Every `{{ … }}` action in a template, for asserting which values a chart templates. */
export function templateActions(template: string): string[] {
  return [...template.matchAll(ACTION)].map((m) => m[3]!);
}
