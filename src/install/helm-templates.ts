/**
 * Helm templates derived from {@link agentManifests}, so the chart cannot drift from the objects the tests
 * check. The manifests are rendered once per provisioner with every value replaced by its Helm expression
 * (`{{ .Values.image.tag }}`), then the renderings are merged line by line: lines all of them share
 * are written as they are, lines only some have go inside `{{- if eq .Values.provisioner "…" }}`. The
 * result templates exactly the values in {@link ChartValues} and nothing else; the chart tests render it
 * with a Go-template subset for a matrix of values and compare with `agentManifests`.
 */
import { stringify } from 'yaml';
import { agentManifests, type ChartObject } from './agent-manifests.ts';
import type { ChartProvisioner, ChartValues } from './values.ts';

/** `byo` first: it has the fewest lines, and every other rendering must be it plus insertions. */
const RENDERINGS: readonly ChartProvisioner[] = ['byo', 'nodeclaim', 'aks'];

/** A number no real value has; replaced by `{{ .Values.replicas }}` after YAML serialization. */
const REPLICAS_MARK = 987654321;

export const GENERATED_HEADER = '# Generated from src/install by `npm run generate`; do not edit.\n';

/** A Helm expression standing in for a value of type T while the manifests are built. */
function expression<T>(path: string): T {
  return `{{ .Values.${path} }}` as T;
}

function symbolicValues(provisioner: ChartProvisioner): ChartValues {
  return {
    provisioner,
    replicas: REPLICAS_MARK,
    image: {
      repository: expression('image.repository'),
      tag: expression('image.tag'),
      pullPolicy: expression('image.pullPolicy'),
    },
    azure: {
      clientId: expression('azure.clientId'),
      subscriptionId: expression('azure.subscriptionId'),
      resourceGroup: expression('azure.resourceGroup'),
      clusterName: expression('azure.clusterName'),
    },
    report: {
      provider: expression('report.provider'),
      apiUrl: expression('report.apiUrl'),
      secretName: expression('report.secretName'),
    },
  };
}

/** One object as YAML: keys as cdk8s sorted them, no line folding. */
export function objectYaml(object: ChartObject): string {
  return stringify(object, { lineWidth: 0 });
}

function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0) return text;
  if (text.indexOf(from, at + 1) >= 0)
    throw new Error(`"${from}" occurs twice in a rendering; cannot template it`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

function renderingLines(object: ChartObject, provisioner: ChartProvisioner): string[] {
  let text = objectYaml(object);
  text = replaceOnce(text, `replicas: ${REPLICAS_MARK}`, 'replicas: {{ .Values.replicas }}');
  text = replaceOnce(text, `--provisioner=${provisioner}`, '--provisioner={{ .Values.provisioner }}');
  return text.split('\n');
}

/**
 * Where `variant` adds lines to `base`: insertion position (base lines before it) → lines. Throws when
 * `variant` is not `base` plus insertions, i.e. when a provisioner changes a line rather than adding one.
 */
export function insertions(
  base: readonly string[],
  variant: readonly string[],
  label: string,
): Map<number, string[]> {
  const n = base.length;
  const m = variant.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] =
        base[i] === variant[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  if (lcs[0]![0] !== n)
    throw new Error(`the ${label} rendering changes lines of the base rendering instead of adding lines`);
  const blocks = new Map<number, string[]>();
  let i = 0;
  for (let j = 0; j < m; j++) {
    if (i < n && base[i] === variant[j] && lcs[i]![j] === lcs[i + 1]![j + 1]! + 1) {
      i++;
    } else {
      const block = blocks.get(i) ?? [];
      block.push(variant[j]!);
      blocks.set(i, block);
    }
  }
  return blocks;
}

function condition(kinds: readonly ChartProvisioner[]): string {
  const tests = kinds.map((k) => `eq .Values.provisioner "${k}"`);
  return tests.length === 1
    ? `{{- if ${tests[0]} }}`
    : `{{- if or ${tests.map((t) => `(${t})`).join(' ')} }}`;
}

/** The template for one object: its renderings for every provisioner, merged. */
export function mergeRenderings(renderings: ReadonlyMap<ChartProvisioner, readonly string[]>): string {
  const [baseKind, ...others] = [...renderings.keys()];
  const base = renderings.get(baseKind!)!;
  const inserted = others.map((kind) => ({ kind, blocks: insertions(base, renderings.get(kind)!, kind) }));
  const out: string[] = [];
  for (let position = 0; position <= base.length; position++) {
    const groups: { lines: string[]; kinds: ChartProvisioner[] }[] = [];
    for (const { kind, blocks } of inserted) {
      const lines = blocks.get(position);
      if (lines === undefined) continue;
      const same = groups.find((g) => g.lines.join('\n') === lines.join('\n'));
      if (same) same.kinds.push(kind);
      else groups.push({ lines, kinds: [kind] });
    }
    for (const group of groups) out.push(condition(group.kinds), ...group.lines, '{{- end }}');
    if (position < base.length) out.push(base[position]!);
  }
  return out.join('\n');
}

export interface TemplateFile {
  /** File name under `templates/`, e.g. `deployment.yaml`. */
  name: string;
  content: string;
}

/** One template per object, named after its kind. */
export function helmTemplates(): TemplateFile[] {
  const byKind = new Map(
    RENDERINGS.map((kind) => [kind, agentManifests(symbolicValues(kind), '{{ .Release.Namespace }}')]),
  );
  const count = byKind.get('byo')!.length;
  const files: TemplateFile[] = [];
  for (let index = 0; index < count; index++) {
    const renderings = new Map<ChartProvisioner, string[]>();
    for (const [kind, objects] of byKind) {
      const object = objects[index];
      if (object === undefined || object.kind !== byKind.get('byo')![index]!.kind) {
        throw new Error(
          `the ${kind} installation has different objects; put provisioner-specific objects last`,
        );
      }
      renderings.set(kind, renderingLines(object, kind));
    }
    const kind = byKind.get('byo')![index]!.kind;
    files.push({
      name: `${kind.toLowerCase()}.yaml`,
      content: GENERATED_HEADER + mergeRenderings(renderings),
    });
  }
  return files;
}
