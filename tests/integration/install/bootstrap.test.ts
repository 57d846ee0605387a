import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_HEALTH_CEL, WORKSPACE_HEALTH_LUA } from '../../../src/api/index.ts';
import { readCatalog } from '../../../src/catalog/index.ts';
import { readSources } from '../../../src/cli/sources.ts';
import { bootstrapTree, EXAMPLE_OPTIONS, fluxTimeout } from '../../../src/install/index.ts';
import { hydrate } from '../../../src/pipeline.ts';
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
    // The health checks themselves run in tests/unit/api/health-checks.test.ts (Lua and CEL).
    expect(flux.spec.healthCheckExprs).toEqual([
      { apiVersion: 'kaito.sh/v1beta1', kind: 'Workspace', ...WORKSPACE_HEALTH_CEL },
    ]);
    const cm = parseAllDocuments(tree.get('argocd/argocd-cm-patch.yaml') ?? '')[0]?.toJS();
    expect(cm.data['resource.customizations.health.kaito.sh_Workspace']).toBe(WORKSPACE_HEALTH_LUA);
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

describe('the Flux Kustomization', () => {
  interface FluxKustomization {
    spec: { timeout: string; healthCheckExprs: { apiVersion: string; kind: string }[] };
  }
  const kustomization = (options = EXAMPLE_OPTIONS): FluxKustomization =>
    parseAllDocuments(
      bootstrapTree(options, ['flux']).get('flux/flux-kustomization.yaml') ?? '',
    )[0]!.toJS() as FluxKustomization;

  it('has one health check per group and kind, as kustomize-controller >= v1.8 requires', () => {
    // fluxcd/pkg runtime/cel NewStatusReader: "duplicate custom health check for GroupKind ..." otherwise.
    const groupKinds = kustomization().spec.healthCheckExprs.map(
      (c) => `${c.kind}.${c.apiVersion.split('/')[0]!}`,
    );
    expect(new Set(groupKinds).size).toBe(groupKinds.length);
  });

  it('waits as long as the slowest example Workspace may take to start', async () => {
    const plans = hydrate(await readSources(['gitops/workspaces'], join(GITOPS, '..')), {
      catalog: await readCatalog(),
    }).plans;
    expect(EXAMPLE_OPTIONS.fluxTimeout).toBe(fluxTimeout(plans).timeout);
    expect(kustomization().spec.timeout).toBe(EXAMPLE_OPTIONS.fluxTimeout);
  });
});

describe('the Argo CD bootstrap', () => {
  const tree = bootstrapTree(EXAMPLE_OPTIONS, ['argocd']);
  type Synced = {
    spec: { destination: { namespace?: string }; syncPolicy: { syncOptions: string[] } };
  };
  const app = (): Synced => parseAllDocuments(tree.get('argocd/application.yaml') ?? '')[0]!.toJS() as Synced;
  const template = (): Synced =>
    (
      parseAllDocuments(tree.get('argocd/applicationset.yaml') ?? '')[0]!.toJS() as {
        spec: { template: Synced };
      }
    ).spec.template;

  it('creates namespaces only where there is a destination namespace', () => {
    expect(app().spec.destination.namespace).toBeUndefined();
    expect(app().spec.syncPolicy.syncOptions).not.toContain('CreateNamespace=true');
    expect(template().spec.destination.namespace).toBe('{{ index .path.segments 3 }}');
    expect(template().spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
  });
});
