/** The Go text/template subset the chart and ApplicationSet tests render with, against Go's own results. */
import { describe, expect, it } from 'vitest';
import { GoTemplate } from '../support/go-template.ts';

const render = (text: string, data: unknown = {}): string =>
  new GoTemplate().add('t', text).render('t', data);

describe('GoTemplate', () => {
  it.each<[string, string, unknown, string]>([
    [
      'fields and trimming',
      'a: {{ .x.y }}\n{{- if .z }}\nb: 1\n{{- end }}\n',
      { x: { y: 'v' }, z: true },
      'a: v\nb: 1\n',
    ],
    ['else if / else', '{{ if eq .k "a" }}A{{ else if eq .k "b" }}B{{ else }}C{{ end }}', { k: 'b' }, 'B'],
    [
      'variables and pipelines',
      '{{ $n := printf "%s-%s" .a .b }}{{ $n | upper | quote }}',
      { a: 'x', b: 'y' },
      '"X-Y"',
    ],
    ['trunc and trimSuffix', '{{ trunc 4 "abc-def" | trimSuffix "-" }}', {}, 'abc'],
    ['parenthesised commands', '{{ if gt (len .s) 3 }}long{{ end }}', { s: 'abcd' }, 'long'],
    [
      'default and with',
      '{{ with .m }}{{ .k }}{{ end }}{{ default "d" .e }}',
      { m: { k: 'K' }, e: '' },
      'Kd',
    ],
    ['range over a list', '{{ range .l }}[{{ . }}]{{ end }}', { l: [1, 2] }, '[1][2]'],
    ['comments', '{{/* a comment */}}x{{- /* trimmed */ -}} y', {}, 'xy'],
    ['sha256sum', '{{ sha256sum "abc" | trunc 8 }}', {}, 'ba7816bf'],
    ['regexReplaceAll', '{{ regexReplaceAll "[.-]+$" "a.b--." "" }}', {}, 'a.b'],
    ['splitList and index', '{{ index (splitList "." .s) 0 }}', { s: 'team-a.1' }, 'team-a'],
    ['nindent', 'k:{{ "a: 1\\nb: 2" | nindent 2 }}', {}, 'k:\n  a: 1\n  b: 2'],
  ])('%s', (_name, text, data, expected) => {
    expect(render(text, data)).toBe(expected);
  });

  it('calls define-d templates with include and template, $ being the root', () => {
    const t = new GoTemplate()
      .add('_helpers.tpl', '{{- define "full" -}}{{ $.Release.Name }}-{{ .suffix }}{{- end }}')
      .add('t', '{{ include "full" (dict) | default "x" }}');
    expect(() => t.render('t', {})).toThrow(/unknown function dict/);
    const ok = new GoTemplate()
      .add('_helpers.tpl', '{{- define "name" -}}{{ .Release.Name | trunc 5 }}{{- end }}')
      .add('t', 'n: {{ include "name" . | quote }} {{ template "name" . }}');
    expect(ok.render('t', { Release: { Name: 'release-1' } })).toBe('n: "relea" relea');
  });

  it('refuses what it does not know and values that are missing', () => {
    expect(() => render('{{ .missing }}')).toThrow(/no such value/);
    expect(() => render('{{ toJson . }}')).toThrow(/unknown function toJson/);
    expect(() => render('{{ if .x }}')).toThrow(/missing \{\{end\}\}/);
    expect(() => render('{{ required "set image.tag" .t }}', { t: '' })).toThrow('set image.tag');
  });
});
