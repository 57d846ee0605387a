/** The chart's `_helpers.tpl` names and labels a release exactly as the TypeScript does. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  HELPERS,
  HELPERS_TPL,
  fullname,
  notesTxt,
  releaseLabels,
  releaseNames,
  selectorLabels,
  type Release,
} from '../../../src/install/chart-release.ts';
import { GoTemplate } from '../../support/go-template.ts';

const VERSION = '0.2.0+build.7';

function context(release: Release, values: Record<string, unknown> = {}) {
  return {
    Release: { Name: release.name, Namespace: release.namespace, Service: release.service },
    Chart: { Name: 'kaito-gitops', Version: VERSION },
    Values: { provisioner: 'nodeclaim', coexist: false, ...values },
  };
}

function render(template: string, data: unknown): string {
  return new GoTemplate().add('_helpers.tpl', HELPERS_TPL).add('t', template).render('t', data);
}

const releases: Release[] = [
  { name: 'kaito-gitops', namespace: 'kaito-gitops', service: 'Helm' },
  { name: 'gpu', namespace: 'team-a', service: 'Helm' },
  { name: 'kaito-gitops-prod', namespace: 'ops', service: 'Helm' },
  {
    name: 'a-release-name-that-is-long-enough-to-be-cut-by-the-63-limit-x',
    namespace: 'ml',
    service: 'Helm',
  },
];

describe('_helpers.tpl', () => {
  it.each(releases.map((r) => [r.name, r] as const))(
    'names release %s as the TypeScript does',
    (_n, release) => {
      const names = render(
        `{{ include "${HELPERS.fullname}" . }} {{ include "${HELPERS.leaseRole}" . }} {{ include "${HELPERS.clusterRole}" . }}`,
        context(release),
      );
      const expected = releaseNames(release);
      expect(names).toBe(`${expected.agent} ${expected.leaseRole} ${expected.clusterRole}`);
      expect(fullname(release).length).toBeLessThanOrEqual(63);
      expect(fullname(release)).not.toMatch(/-$/);
    },
  );

  it.each(releases.map((r) => [r.name, r] as const))(
    'labels release %s as the TypeScript does',
    (_n, release) => {
      const labels = parse(render(`{{ include "${HELPERS.labels}" . }}`, context(release))) as unknown;
      expect(labels).toEqual(releaseLabels(release, VERSION));
      const selector = parse(
        render(`{{ include "${HELPERS.selectorLabels}" . }}`, context(release)),
      ) as unknown;
      expect(selector).toEqual(selectorLabels(release));
    },
  );

  it('keeps two releases of one name in two namespaces apart where it matters (cluster-scoped names)', () => {
    const a = releaseNames({ name: 'kaito-gitops', namespace: 'team-a', service: 'Helm' });
    const b = releaseNames({ name: 'kaito-gitops', namespace: 'team-b', service: 'Helm' });
    expect(a.clusterRole).not.toBe(b.clusterRole);
  });
});

describe('NOTES.txt', () => {
  it('says how to check this release’s agent and how to upgrade the CRD', () => {
    const release = releases[1]!;
    const notes = render(notesTxt('charts/kaito-gitops/crds/kaito.sh_workspaces.yaml'), context(release));
    expect(notes).toContain('kubectl -n team-a rollout status deployment/gpu-kaito-gitops');
    expect(notes).toContain('curl -s localhost:8081/readyz');
    expect(notes).toContain(
      'kubectl apply --server-side --force-conflicts -f charts/kaito-gitops/crds/kaito.sh_workspaces.yaml',
    );
    expect(notes).not.toContain('Coexisting');
    expect(render(notesTxt('x.yaml'), context(release, { coexist: true }))).toContain(
      'Coexisting with Kaito',
    );
  });
});
