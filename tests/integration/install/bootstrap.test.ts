import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrapTree, EXAMPLE_OPTIONS } from '../../../src/install/index.ts';
import { kustomizeBuild, requireKubectl } from '../../support/kustomize.ts';

const GITOPS = join(import.meta.dirname, '../../../gitops');
let kubectl: string;

beforeAll(async () => {
  kubectl = await requireKubectl();
});

describe('gitops/flux and gitops/argocd', () => {
  it('are exactly what `kaito-gitops init` writes for the example values (regenerate with the command in the README)', async () => {
    const expected = bootstrapTree(EXAMPLE_OPTIONS, ['flux', 'argocd']);
    const committed = new Map<string, string>();
    for (const tool of ['flux', 'argocd']) {
      for (const name of await readdir(join(GITOPS, tool))) {
        committed.set(`${tool}/${name}`, await readFile(join(GITOPS, tool, name), 'utf8'));
      }
    }
    expect([...committed.keys()].sort()).toEqual([...expected.keys()]);
    for (const [path, text] of expected) expect(committed.get(path), path).toBe(text);
  });

  it.each(['flux', 'argocd'])('%s builds with kubectl kustomize', async (tool) => {
    const built = await kustomizeBuild(kubectl, join(GITOPS, tool));
    const kinds = parseAllDocuments(built).map((doc) => (doc.toJS() as { kind: string }).kind);
    expect(kinds).toEqual(
      expect.arrayContaining(
        tool === 'flux'
          ? ['GitRepository', 'Kustomization', 'Deployment', 'Service', 'Namespace']
          : ['Application', 'Deployment', 'Service', 'Namespace'],
      ),
    );
  });

  it('Flux prunes, waits and judges Workspaces by Ready and Stalled; Argo CD gets a Workspace health check', () => {
    const tree = bootstrapTree(EXAMPLE_OPTIONS, ['flux', 'argocd']);
    const flux = parseAllDocuments(tree.get('flux/flux-kustomization.yaml') ?? '')[0]?.toJS();
    expect(flux.spec).toMatchObject({ prune: true, wait: true, path: './clusters/prod' });
    expect(flux.spec.postBuild).toBeUndefined(); // substitution would corrupt ${...} in rendered commands
    expect(flux.spec.healthCheckExprs[0]).toMatchObject({
      kind: 'Workspace',
      current: expect.stringContaining("'Ready'"),
      failed: expect.stringContaining("'Stalled'"),
    });
    const cm = parseAllDocuments(tree.get('argocd/argocd-cm-patch.yaml') ?? '')[0]?.toJS();
    const lua: string = cm.data['resource.customizations.health.kaito.sh_Workspace'];
    expect(lua).toContain('"Stalled"');
    expect(lua).toContain('hs.status = "Degraded"');
    expect(lua).toContain('hs.status = "Healthy"');
    const set = parseAllDocuments(tree.get('argocd/applicationset.yaml') ?? '')[0]?.toJS();
    expect(set.spec.generators[0].git.directories).toEqual([{ path: 'clusters/prod/workspaces/*/*' }]);
    interface Deployment {
      kind: string;
      spec: { template: { spec: { containers: { args: string[] }[]; volumes: unknown[] } } };
    }
    const server = parseAllDocuments(tree.get('flux/sync-server.yaml') ?? '').map(
      (d) => d.toJS() as Deployment,
    );
    const deployment = server.find((o) => o.kind === 'Deployment')!;
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.args).toEqual(
      expect.arrayContaining(['sync', '--listen', ':8080', '--target-branch', 'deploy']),
    );
    expect(JSON.stringify(container.args)).not.toMatch(/token|secret|password/i);
    expect(deployment.spec.template.spec.volumes).toContainEqual({
      name: 'credentials',
      secret: { secretName: 'kaito-gitops-sync' },
    });
  });
});
