import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_HEALTH_CEL, WORKSPACE_HEALTH_LUA } from '../../../src/api/index.ts';
import { readCatalog } from '../../../src/catalog/index.ts';
import { readSources } from '../../../src/cli/sources.ts';
import { bootstrapTree, EXAMPLE_OPTIONS, fluxTimeout } from '../../../src/install/index.ts';
import { hydrate } from '../../../src/pipeline.ts';
import { inventoryOf, shardNames, writeTree } from '../../../src/render/index.ts';
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
          : ['ApplicationSet', 'Deployment', 'Service', 'Namespace'],
      ),
    );
  });

  it('Flux prunes, waits and judges Workspaces by Ready and Stalled; Argo CD gets a Workspace health check', () => {
    const tree = bootstrapTree(EXAMPLE_OPTIONS, ['flux', 'argocd']);
    const flux = parseAllDocuments(tree.get('flux/flux-kustomization.yaml') ?? '')[0]?.toJS();
    expect(flux.spec).toMatchObject({ prune: true, wait: true, path: './clusters/prod/shards/default' });
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
    const plans = hydrate((await readSources(['gitops/workspaces'], join(GITOPS, '..'))).files, {
      catalog: await readCatalog(),
    }).plans;
    expect(EXAMPLE_OPTIONS.fluxTimeout).toBe(fluxTimeout(plans).timeout);
    expect(kustomization().spec.timeout).toBe(EXAMPLE_OPTIONS.fluxTimeout);
  });
});

describe('the Argo CD bootstrap', () => {
  const tree = bootstrapTree(EXAMPLE_OPTIONS, ['argocd']);
  type Template = {
    spec: {
      destination: { namespace?: string };
      syncPolicy: { automated: Record<string, boolean>; syncOptions: string[] };
    };
  };
  const template = (file: string): Template =>
    (parseAllDocuments(tree.get(file) ?? '')[0]!.toJS() as { spec: { template: Template } }).spec.template;

  it('makes an Application per shard that prunes down to an empty shard, in the shard’s namespace', () => {
    const shards = template('argocd/applicationset-shards.yaml');
    expect(shards.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true, allowEmpty: true });
    expect(shards.spec.destination.namespace).toBe('{{ index (splitList "." .path.basename) 0 }}');
    expect(shards.spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    const perWorkspace = template('argocd/applicationset.yaml');
    expect(perWorkspace.spec.destination.namespace).toBe('{{ index .path.segments 3 }}');
    expect(perWorkspace.spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
  });
});

describe('one unit per shard', () => {
  type Unit = {
    metadata: { name: string; annotations?: Record<string, string> };
    spec: { path?: string; source?: { path: string } };
  };
  const units = (tree: ReadonlyMap<string, string>, file: string): Unit[] =>
    parseAllDocuments(tree.get(file) ?? '').map((doc) => doc.toJS() as Unit);

  it('gives Flux a Kustomization per shard, and one for the path without shards, none of them pruned by the bootstrap', () => {
    const sharded = bootstrapTree({ ...EXAMPLE_OPTIONS, shards: ['team-b.01', 'team-a'] }, ['flux']);
    const flux = units(sharded, 'flux/flux-kustomization.yaml');
    expect(flux.map((u) => [u.metadata.name, u.spec.path])).toEqual([
      ['kaito-workspaces-team-a', './clusters/prod/shards/team-a'],
      ['kaito-workspaces-team-b.01', './clusters/prod/shards/team-b.01'],
    ]);
    expect(
      flux.every((u) => u.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune'] === 'disabled'),
    ).toBe(true);
    const whole = bootstrapTree({ ...EXAMPLE_OPTIONS, shards: [] }, ['flux']);
    expect(units(whole, 'flux/flux-kustomization.yaml').map((u) => [u.metadata.name, u.spec.path])).toEqual([
      ['kaito-workspaces', './clusters/prod'],
    ]);
    const long = bootstrapTree({ ...EXAMPLE_OPTIONS, shards: [`${'n'.repeat(63)}.0101`] }, ['flux']);
    const name = units(long, 'flux/flux-kustomization.yaml')[0]!.metadata.name;
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^kaito-workspaces-n+-[0-9a-f]{8}$/);
  });

  it('with --flux-units gives Flux one root over flux-units/ that substitutes the path and timeout', () => {
    const tree = bootstrapTree({ ...EXAMPLE_OPTIONS, fluxUnits: true }, ['flux']);
    const [root, ...rest] = parseAllDocuments(tree.get('flux/flux-kustomization.yaml') ?? '').map(
      (doc) => doc.toJS() as { metadata: { name: string }; spec: Record<string, unknown> },
    );
    expect(rest).toEqual([]);
    expect(root?.metadata.name).toBe('kaito-shards');
    expect(root?.spec).toMatchObject({
      path: './clusters/prod/flux-units',
      prune: true,
      deletionPolicy: 'Orphan',
      postBuild: { substitute: { KAITO_SHARDS_PATH: './clusters/prod/shards', KAITO_FLUX_TIMEOUT: '1h15m' } },
    });
    expect(root?.spec['wait']).toBeUndefined();
    expect(tree.get('flux/sync-server.yaml')).toContain('- "--flux-units"');
  });
  it('the example values carry the shards of gitops/workspaces', async () => {
    const { files } = await readSources([join(GITOPS, 'workspaces')], '/');
    const { tree } = hydrate(files, { catalog: await readCatalog() });
    expect(EXAMPLE_OPTIONS.shards).toEqual(shardNames(inventoryOf(tree)));
  });

  it('kubectl kustomize builds each shard, the shards together are the whole tree, and flux-units/ applies each', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kaito-shards-'));
    try {
      const catalog = await readCatalog();
      const specs = (await readSources([join(GITOPS, 'workspaces')], '/')).files;
      // Many workspaces in one namespace: it splits into several shards.
      const many = Array.from({ length: 120 }, (_, i) => ({
        path: `ws-${i}.yaml`,
        content: (specs.find((f) => f.path === 'phi-3-mini.yaml')?.content ?? '').replace(
          'name: workspace-phi-3-mini',
          `name: ws-${String(i).padStart(3, '0')}`,
        ),
      }));
      const { tree } = hydrate(many, { catalog, layout: { fluxUnits: true } });
      writeTree(dir, tree);
      const shards = shardNames(inventoryOf(tree));
      expect(shards).toEqual(['default', 'default.1', 'default.2']);
      const names = (yaml: string) =>
        parseAllDocuments(yaml)
          .map((doc) => doc.toJS() as { kind: string; metadata: { name: string } })
          .map((o) => `${o.kind}/${o.metadata.name}`)
          .sort();
      const parts: string[] = [];
      for (const shard of shards) {
        const built = names(await kustomizeBuild(kubectl, join(dir, 'shards', shard)));
        expect(built.filter((n) => n.startsWith('Workspace/')).length).toBeLessThanOrEqual(50);
        parts.push(...built);
      }
      expect(parts.sort()).toEqual(names(await kustomizeBuild(kubectl, dir)));

      // What the root Kustomization of `init --flux-units` applies, after its substitution (a deploy
      // path at the repository root): one Flux Kustomization per shard, at that shard's directory.
      const root = parseAllDocuments(
        bootstrapTree({ ...EXAMPLE_OPTIONS, path: '', fluxUnits: true }, ['flux']).get(
          'flux/flux-kustomization.yaml',
        ) ?? '',
      )[0]!.toJS() as { spec: { postBuild: { substitute: Record<string, string> } } };
      const variables = root.spec.postBuild.substitute;
      const built = (await kustomizeBuild(kubectl, join(dir, 'flux-units'))).replace(
        /\$\{(\w+)\}/g,
        (_, name: string) => variables[name] ?? `<undefined ${name}>`,
      );
      expect(built).not.toContain('$');
      const fluxUnits = parseAllDocuments(built).map(
        (doc) =>
          doc.toJS() as { kind: string; metadata: { name: string }; spec: { path: string; timeout: string } },
      );
      expect(fluxUnits.map((u) => [u.kind, u.metadata.name, u.spec.path, u.spec.timeout])).toEqual(
        shards.map((shard) => ['Kustomization', `kaito-workspaces-${shard}`, `./shards/${shard}`, '1h15m']),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
