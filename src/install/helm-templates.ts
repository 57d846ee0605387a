/**
 * Helm templates derived from {@link agentManifests}, so the chart cannot drift from the objects the tests
 * check. The manifests are built with stand-ins (plain words such as `HELMxFULLNAME`) for every value and
 * every release-scoped name, written as YAML, and each scalar holding stand-ins becomes one quoted Go
 * template expression (`{{ printf "--lease-name=%s" (include "kaito-gitops.fullname" .) | quote }}`);
 * a label map stand-in becomes `include "kaito-gitops.labels"`. They are rendered once per provisioner
 * and `coexist` setting, and the renderings are merged line by line: lines all of them share are written
 * as they are, lines only some have go inside `{{- if … }}`. The result templates exactly the values in
 * {@link ChartValues}; the chart tests render it with Go templates for a matrix of values and releases
 * and compare with `agentManifests`.
 */
import { stringify } from 'yaml';
import { agentManifests, type ChartObject, type Identity } from './agent-manifests.ts';
import { HELPERS } from './chart-release.ts';
import type { ChartProvisioner, ChartValues } from './values.ts';

/** `byo` first: it has the fewest lines, and every other rendering must be it plus insertions. */
const RENDERINGS: readonly ChartProvisioner[] = ['byo', 'nodeclaim', 'aks'];

/** A number no real value has; replaced by `{{ .Values.replicas }}` after YAML serialization. */
const REPLICAS_MARK = 987654321;

export const GENERATED_HEADER = '# Generated from src/install by `npm run generate`; do not edit.\n';

/** Stand-in word → the Go template expression it stands for. */
const EXPRESSIONS: Record<string, string> = {
  HELMxFULLNAME: `(include "${HELPERS.fullname}" .)`,
  HELMxLEASEROLE: `(include "${HELPERS.leaseRole}" .)`,
  HELMxCLUSTERROLE: `(include "${HELPERS.clusterRole}" .)`,
  HELMxNAMESPACE: '.Release.Namespace',
  HELMxPROVISIONER: '.Values.provisioner',
  HELMxREPOSITORY: '.Values.image.repository',
  HELMxTAG: '.Values.image.tag',
  HELMxPULLPOLICY: '.Values.image.pullPolicy',
  HELMxCLIENTID: '.Values.azure.clientId',
  HELMxSUBSCRIPTION: '.Values.azure.subscriptionId',
  HELMxRESOURCEGROUP: '.Values.azure.resourceGroup',
  HELMxCLUSTERNAME: '.Values.azure.clusterName',
  HELMxREPORTPROVIDER: '.Values.report.provider',
  HELMxREPORTAPIURL: '.Values.report.apiUrl',
  HELMxREPORTSECRET: '.Values.report.secretName',
};
/** Stand-in keys of label maps → the helper that writes the map. */
const LABEL_MAPS: Record<string, string> = {
  HELMxLABELS: HELPERS.labels,
  HELMxSELECTOR: HELPERS.selectorLabels,
};

const SYMBOLIC_IDENTITY: Identity = {
  names: { agent: 'HELMxFULLNAME', leaseRole: 'HELMxLEASEROLE', clusterRole: 'HELMxCLUSTERROLE' },
  labels: { HELMxLABELS: 'x' },
  selector: { HELMxSELECTOR: 'x' },
  namespace: 'HELMxNAMESPACE',
};

function symbolicValues(provisioner: ChartProvisioner, coexist: boolean): ChartValues {
  return {
    provisioner,
    replicas: REPLICAS_MARK,
    image: {
      repository: 'HELMxREPOSITORY',
      tag: 'HELMxTAG',
      pullPolicy: 'HELMxPULLPOLICY' as ChartValues['image']['pullPolicy'],
    },
    azure: {
      clientId: 'HELMxCLIENTID',
      subscriptionId: 'HELMxSUBSCRIPTION',
      resourceGroup: 'HELMxRESOURCEGROUP',
      clusterName: 'HELMxCLUSTERNAME',
    },
    coexist,
    report: {
      provider: 'HELMxREPORTPROVIDER' as ChartValues['report']['provider'],
      apiUrl: 'HELMxREPORTAPIURL',
      secretName: 'HELMxREPORTSECRET',
    },
  };
}

/** One object as YAML: keys as cdk8s sorted them, no line folding. */
export function objectYaml(object: ChartObject): string {
  return stringify(object, { lineWidth: 0 });
}

const STAND_IN = /HELMx[A-Z]+/g;

/** A YAML line whose scalar holds stand-ins → the line with one quoted template expression. */
function templateLine(line: string): string {
  const labels = /^(\s*)(HELMx[A-Z]+): x$/.exec(line);
  if (labels !== null) {
    const helper = LABEL_MAPS[labels[2]!];
    if (helper === undefined) throw new Error(`unknown label stand-in in: ${line}`);
    return `${labels[1]!}{{- include "${helper}" . | nindent ${labels[1]!.length} }}`;
  }
  if (!STAND_IN.test(line)) return line;
  STAND_IN.lastIndex = 0;
  const scalar = /^(\s*(?:- )?(?:[\w./-]+: )?)(.*)$/.exec(line)!;
  const raw = scalar[2]!;
  const text = raw.startsWith('"') || raw.startsWith("'") ? raw.slice(1, -1) : raw;
  const args = [...text.matchAll(STAND_IN)].map((m) => {
    const expression = EXPRESSIONS[m[0]];
    if (expression === undefined) throw new Error(`unknown stand-in ${m[0]} in: ${line}`);
    return expression;
  });
  const format = text.replace(STAND_IN, '%s');
  const value =
    format === '%s'
      ? `${args[0]!.replace(/^\((.*)\)$/, '$1')} | quote`
      : `printf ${JSON.stringify(format)} ${args.join(' ')} | quote`;
  return `${scalar[1]!}{{ ${value} }}`;
}

function renderingLines(object: ChartObject, provisioner: ChartProvisioner): string[] {
  const text = objectYaml(object)
    .replace(`replicas: ${REPLICAS_MARK}`, 'replicas: {{ .Values.replicas }}')
    .replace(`--provisioner=${provisioner}`, '--provisioner=HELMxPROVISIONER');
  return text.split('\n').map(templateLine);
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

function provisionerCondition(kinds: readonly string[]): string {
  const tests = kinds.map((k) => `eq .Values.provisioner "${k}"`);
  return tests.length === 1
    ? `{{- if ${tests[0]} }}`
    : `{{- if or ${tests.map((t) => `(${t})`).join(' ')} }}`;
}

/**
 * One template from renderings that differ by insertions only: the first is the base; lines only some
 * renderings add go inside `{{- if <condition of those renderings> }}`.
 */
export function mergeRenderings(
  renderings: ReadonlyMap<string, readonly string[]>,
  condition: (keys: readonly string[]) => string = provisionerCondition,
): string {
  const [baseKey, ...others] = [...renderings.keys()];
  const base = renderings.get(baseKey!)!;
  const inserted = others.map((key) => ({ key, blocks: insertions(base, renderings.get(key)!, key) }));
  const out: string[] = [];
  for (let position = 0; position <= base.length; position++) {
    const groups: { lines: string[]; keys: string[] }[] = [];
    for (const { key, blocks } of inserted) {
      const lines = blocks.get(position);
      if (lines === undefined) continue;
      const same = groups.find((g) => g.lines.join('\n') === lines.join('\n'));
      if (same) same.keys.push(key);
      else groups.push({ lines, keys: [key] });
    }
    for (const group of groups) out.push(condition(group.keys), ...group.lines, '{{- end }}');
    if (position < base.length) out.push(base[position]!);
  }
  return out.join('\n');
}

export interface TemplateFile {
  /** File name under `templates/`, e.g. `deployment.yaml`. */
  name: string;
  content: string;
}

/** The lines of one object for a provisioner, with `--coexist` and what it adds inside `if`. */
function objectLines(index: number, provisioner: ChartProvisioner): { kind: string; lines: string[] } {
  const variants = [false, true].map((coexist) => {
    const object = agentManifests(symbolicValues(provisioner, coexist), SYMBOLIC_IDENTITY)[index];
    if (object === undefined) throw new Error(`the ${provisioner} installation has fewer objects`);
    return object;
  });
  const merged = mergeRenderings(
    new Map([
      ['false', renderingLines(variants[0]!, provisioner)],
      ['true', renderingLines(variants[1]!, provisioner)],
    ]),
    () => '{{- if .Values.coexist }}',
  );
  return { kind: variants[0]!.kind, lines: merged.split('\n') };
}

/** One template per object, named after its kind. */
export function helmTemplates(): TemplateFile[] {
  const count = agentManifests(symbolicValues('byo', false), SYMBOLIC_IDENTITY).length;
  const files: TemplateFile[] = [];
  for (let index = 0; index < count; index++) {
    const renderings = new Map<string, string[]>();
    let kind = '';
    for (const provisioner of RENDERINGS) {
      const object = objectLines(index, provisioner);
      if (kind !== '' && object.kind !== kind) {
        throw new Error(
          `the ${provisioner} installation has different objects; put provisioner-specific objects last`,
        );
      }
      kind = object.kind;
      renderings.set(provisioner, object.lines);
    }
    files.push({
      name: `${kind.toLowerCase()}.yaml`,
      content: GENERATED_HEADER + mergeRenderings(renderings),
    });
  }
  return files;
}
