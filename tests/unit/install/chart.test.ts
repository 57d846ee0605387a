/**
 * The Helm chart, checked without helm: the committed templates (with `_helpers.tpl`) are rendered with
 * Go templates for a matrix of values and releases and must give exactly the objects `agentManifests`
 * builds for that release; two releases share no object name; NOTES.txt renders; values are checked
 * against the committed values.schema.json; RBAC is held to the list the agent needs.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { V1Deployment } from '@kubernetes/client-node';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import {
  AGENT_MEMORY,
  CHART_DIR,
  agentNodeOptions,
  agentManifests,
  chartFiles,
  CHART_PROVISIONERS,
  defaultValues,
  type ChartObject,
  type ChartValues,
} from '../../../src/install/index.ts';
import { releaseIdentity } from '../../../src/install/agent-manifests.ts';
import type { Release } from '../../../src/install/chart-release.ts';
import { parseFlags } from '../../../src/cli/command.ts';
import { agentFlags, azureSettings, parseProvisioner } from '../../../src/cli/agent.ts';
import { parseListenAddress } from '../../../src/cli/listen-address.ts';
import { GoTemplate, templateActions } from '../../support/go-template.ts';
import { checkSchema } from '../../support/json-schema-check.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { version: string };
const chartDir = `${root}${CHART_DIR}`;
const templateNames = (await readdir(`${chartDir}/templates`)).sort();
const templates = await Promise.all(templateNames.map((n) => readFile(`${chartDir}/templates/${n}`, 'utf8')));
const engine = new GoTemplate();
templateNames.forEach((name, i) => engine.add(name, templates[i]!));
const manifestNames = templateNames.filter((n) => n.endsWith('.yaml'));
const schema = JSON.parse(await readFile(`${chartDir}/values.schema.json`, 'utf8')) as Record<
  string,
  unknown
>;
const defaults = parse(await readFile(`${chartDir}/values.yaml`, 'utf8')) as ChartValues;

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const azure = {
  clientId: '8d2f1c8e-1b2a-4c3d-9e8f-0a1b2c3d4e5f',
  subscriptionId: '00000000-1111-2222-3333-444444444444',
  resourceGroup: 'rg-gpu.prod_1',
  clusterName: 'aks-gpu-1',
};

const matrix: [string, ChartValues][] = [
  ['defaults (nodeclaim)', defaults],
  [
    'nodeclaim, 3 replicas, a private image',
    {
      ...defaults,
      replicas: 3,
      image: {
        repository: 'myregistry.azurecr.io:443/tools/kaito-gitops',
        tag: 'v0.2.0-rc.1',
        pullPolicy: 'Always',
      },
    },
  ],
  ['aks with workload identity', { ...defaults, provisioner: 'aks', azure }],
  ['byo, 2 replicas', { ...defaults, provisioner: 'byo', replicas: 2 }],
  ['nodeclaim beside Kaito (coexist)', { ...defaults, coexist: true }],
  [
    'live status on GitHub Enterprise',
    {
      ...defaults,
      report: { provider: 'github', apiUrl: 'https://ghe.example/api/v3', secretName: 'gh-app' },
    },
  ],
];

const AI: Release = { name: 'gpu', namespace: 'ai-system', service: 'Helm' };

function context(values: ChartValues, release: Release) {
  return {
    Values: values as unknown as Record<string, unknown>,
    Release: { Name: release.name, Namespace: release.namespace, Service: release.service },
    Chart: { Name: 'kaito-gitops', Version: pkg.version },
  };
}

function helmTemplate(values: ChartValues, release: Release = AI): ChartObject[] {
  return manifestNames.flatMap((name) =>
    parseAllDocuments(engine.render(name, context(values, release))).map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0]!;
      return doc.toJS() as ChartObject;
    }),
  );
}

const expectedFor = (values: ChartValues, release: Release = AI): ChartObject[] =>
  agentManifests(values, releaseIdentity(release, pkg.version));

function deploymentOf(objects: ChartObject[]): V1Deployment {
  return byKind(objects, 'Deployment');
}

function byKind(objects: ChartObject[], kind: string): ChartObject {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('the committed chart', () => {
  it('has the default values the TypeScript has', () => {
    expect(defaults).toEqual(defaultValues(pkg.version));
  });

  it.each(matrix)('renders %s to exactly the TypeScript manifests', (_name, values) => {
    expect(checkSchema(schema, values)).toEqual([]);
    const rendered = helmTemplate(values);
    const expected = expectedFor(values);
    const key = (o: ChartObject) => `${o.kind}/${o.metadata.name}`;
    expect(rendered.map(key).sort()).toEqual(expected.map(key).sort());
    for (const object of expected) expect(rendered.find((o) => key(o) === key(object))).toEqual(object);
  });

  it('templates only the chart values, the release, the helpers and the conditions, every value quoted', () => {
    const actions = new Set(
      manifestNames.flatMap((n) => templateActions(templates[templateNames.indexOf(n)]!)),
    );
    const values = [...actions].flatMap((a) => [...a.matchAll(/\.Values\.[\w.]+/g)].map((m) => m[0]));
    expect([...new Set(values)].sort()).toEqual([
      '.Values.azure.clientId',
      '.Values.azure.clusterName',
      '.Values.azure.resourceGroup',
      '.Values.azure.subscriptionId',
      '.Values.coexist',
      '.Values.image.pullPolicy',
      '.Values.image.repository',
      '.Values.image.tag',
      '.Values.provisioner',
      '.Values.replicas',
      '.Values.report.apiUrl',
      '.Values.report.provider',
      '.Values.report.secretName',
    ]);
    for (const action of actions) {
      if (/^(if|end|- include|include)/.test(action) || action === '.Values.replicas') continue;
      expect(action, 'a string value inserted without quote').toMatch(/\| quote$/);
    }
  });

  it('gives two releases no object name in common, cluster-scoped objects included', () => {
    const a = helmTemplate(defaults, { name: 'kaito-gitops', namespace: 'team-a', service: 'Helm' });
    const b = helmTemplate(defaults, { name: 'kaito-gitops', namespace: 'team-b', service: 'Helm' });
    const c = helmTemplate(defaults, { name: 'other', namespace: 'team-a', service: 'Helm' });
    const key = (o: ChartObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const keys = [a, b, c].map((objects) => new Set(objects.map(key)));
    for (const [x, y] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      expect([...keys[x]!].filter((k) => keys[y]!.has(k))).toEqual([]);
    }
    for (const object of c) {
      expect(object.metadata.labels?.['app.kubernetes.io/instance']).toBe('other');
      expect(object.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
    }
  });

  it('says in NOTES.txt how to check this release’s agent', () => {
    const notes = engine.render('NOTES.txt', context(defaults, AI));
    expect(notes).toContain('kubectl -n ai-system rollout status deployment/gpu-kaito-gitops');
    expect(notes).toContain(
      'kubectl apply --server-side --force-conflicts -f charts/kaito-gitops/crds/kaito.sh_workspaces.yaml',
    );
  });

  it('is what src/install generates (run `npm run generate` after changing it)', async () => {
    for (const file of chartFiles(pkg.version)) {
      const committed = await readFile(`${root}${file.path}`, 'utf8').catch(() => '');
      expect(
        committed === file.content,
        `${file.path} differs from src/install: run \`npm run generate\``,
      ).toBe(true);
    }
    const generated = new Set(chartFiles(pkg.version).map((f) => f.path));
    for (const dir of ['templates', 'kustomize']) {
      for (const name of await readdir(`${chartDir}/${dir}`)) {
        expect(
          generated.has(`${CHART_DIR}/${dir}/${name}`),
          `${CHART_DIR}/${dir}/${name} is not generated: delete it`,
        ).toBe(true);
      }
    }
  });

  it('is byte-stable', () => {
    expect(chartFiles(pkg.version)).toEqual(chartFiles(pkg.version));
  });
});

describe('values.schema.json', () => {
  it.each<[string, unknown, string[]]>([
    [
      'aks without Azure settings',
      { ...defaults, provisioner: 'aks' },
      [
        'azure.clientId: must not be empty',
        'azure.subscriptionId: must not be empty',
        'azure.resourceGroup: must not be empty',
        'azure.clusterName: must not be empty',
      ],
    ],
    [
      'a client ID that is not a UUID',
      { ...defaults, provisioner: 'aks', azure: { ...azure, clientId: 'me' } },
      [`azure.clientId: must match (${UUID})|^$`],
    ],
    [
      'an unknown provisioner',
      { ...defaults, provisioner: 'karpenter' },
      ['provisioner: must be one of nodeclaim, aks, byo'],
    ],
    ['no replicas', { ...defaults, replicas: 0 }, ['replicas: must be at least 1']],
    ['replicas as a string', { ...defaults, replicas: '2' }, ['replicas: must be integer, is string']],
    [
      'a tag with a quote',
      { ...defaults, image: { ...defaults.image, tag: 'v1"' } },
      ['image.tag: must match ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'],
    ],
    ['a misspelt key', { ...defaults, replica: 2 }, ['replica: is not allowed']],
    ['a missing section', { ...defaults, image: undefined }, ['image: is required']],
  ])('refuses %s', (_name, values, problems) => {
    // Through JSON, as Helm sees values: an undefined section is a missing one.
    expect(checkSchema(schema, JSON.parse(JSON.stringify(values)) as unknown)).toEqual(problems);
  });
});

describe('what the rendered chart grants and runs', () => {
  const rules = (objects: ChartObject[], kind: string) =>
    (
      byKind(objects, kind)['rules'] as {
        apiGroups: string[];
        resources: string[];
        verbs: string[];
        resourceNames?: string[];
      }[]
    ).flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.map(
          (res) =>
            `${g}/${res}: ${[...r.verbs].sort().join(',')}${r.resourceNames ? ` (${r.resourceNames.join(',')})` : ''}`,
        ),
      ),
    );
  const clusterWide = [
    'kaito.sh/workspaces: list,patch,watch',
    'kaito.sh/workspaces/status: patch',
    '/configmaps: get',
    '/nodes: list,watch',
    '/pods: list,watch',
    'apps/deployments: list,watch',
    'apps/statefulsets: list,watch',
    'batch/jobs: list,watch',
    'admissionregistration.k8s.io/validatingwebhookconfigurations: get (validation.workspace.kaito.sh)',
    'apiextensions.k8s.io/customresourcedefinitions: get (workspaces.kaito.sh)',
  ];

  it.each([
    ['nodeclaim', [...clusterWide, 'karpenter.sh/nodeclaims: create,delete,list,watch']],
    ['aks', clusterWide],
    ['byo', clusterWide],
  ] as const)('grants %s exactly what the agent uses, cluster-wide', (provisioner, expected) => {
    const objects = helmTemplate({ ...defaults, provisioner, azure });
    expect(rules(objects, 'ClusterRole')).toEqual(expected);
    const binding = byKind(objects, 'ClusterRoleBinding');
    expect(binding['subjects']).toEqual([
      { kind: 'ServiceAccount', name: 'gpu-kaito-gitops', namespace: 'ai-system' },
    ]);
  });

  it('grants the leader-election Lease in the release namespace only', () => {
    const objects = helmTemplate(defaults);
    const role = byKind(objects, 'Role');
    expect(role.metadata.namespace).toBe('ai-system');
    expect(rules(objects, 'Role')).toEqual([
      'coordination.k8s.io/leases: create',
      'coordination.k8s.io/leases: get,update (gpu-kaito-gitops)',
    ]);
    expect(objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')).toHaveLength(2);
  });

  it('runs the agent with its flags, ports, and readiness on /readyz', () => {
    const deployment = deploymentOf(helmTemplate({ ...defaults, replicas: 2 }));
    expect(deployment.spec!.replicas).toBe(2);
    const container = deployment.spec!.template.spec!.containers[0]!;
    expect(container.image).toBe(`ghcr.io/kaito-gitops/kaito-gitops:${pkg.version}`);
    expect(container.args).toEqual([
      'agent',
      '--provisioner=nodeclaim',
      '--lease-name=gpu-kaito-gitops',
      '--metrics-addr=:8081',
      '--report=',
      '--report-api-url=',
    ]);
    expect(container.env!.map((e) => e.name)).toEqual(['POD_NAME', 'POD_NAMESPACE', 'NODE_OPTIONS']);
    // The heap and memory the benchmark measured the agent with (README "Benchmarks").
    expect(container.env!.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(agentNodeOptions());
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: `${AGENT_MEMORY.requestMiB}Mi` },
      limits: { memory: `${AGENT_MEMORY.limitMiB}Mi` },
    });
    expect(AGENT_MEMORY.heapMiB).toBeLessThan(AGENT_MEMORY.requestMiB);
    expect(container.envFrom).toEqual([{ secretRef: { name: 'kaito-gitops-report', optional: true } }]);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8081, protocol: 'TCP' }]);
    expect(container.livenessProbe!.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe!.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(deployment.spec!.template.spec!.serviceAccountName).toBe('gpu-kaito-gitops');
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    });
  });

  it('sets up Azure workload identity for aks only', () => {
    const aks = helmTemplate({ ...defaults, provisioner: 'aks', azure });
    expect(byKind(aks, 'ServiceAccount').metadata.annotations).toEqual({
      'azure.workload.identity/client-id': azure.clientId,
    });
    expect(deploymentOf(aks).spec!.template.metadata!.labels!['azure.workload.identity/use']).toBe('true');
    for (const provisioner of ['nodeclaim', 'byo'] as const) {
      const objects = helmTemplate({ ...defaults, provisioner });
      expect(byKind(objects, 'ServiceAccount').metadata.annotations).toBeUndefined();
      const pod = deploymentOf(objects).spec!.template;
      expect(pod.metadata!.labels).not.toHaveProperty('azure.workload.identity/use');
      expect(pod.spec!.containers[0]!.env!.map((e) => e.name)).toEqual([
        'POD_NAME',
        'POD_NAMESPACE',
        'NODE_OPTIONS',
      ]);
    }
  });

  it.each(CHART_PROVISIONERS)('passes %s flags and settings the agent command accepts', (provisioner) => {
    const container = deploymentOf(helmTemplate({ ...defaults, provisioner, azure })).spec!.template.spec!
      .containers[0]!;
    const [command, ...args] = container.args!;
    expect(command).toBe('agent');
    const { values } = parseFlags(args, agentFlags);
    expect(parseProvisioner(values.provisioner)).toBe(provisioner);
    expect(parseListenAddress(values['metrics-addr'], '--metrics-addr')).toEqual({
      host: '0.0.0.0',
      port: 8081,
    });
    expect(values['lease-name']).toBe('gpu-kaito-gitops');
    expect(values.coexist).toBe(false);
    if (provisioner === 'aks') {
      const env = Object.fromEntries(container.env!.map((e) => [e.name, e.value]));
      expect(azureSettings(values, env)).toEqual({
        subscriptionId: azure.subscriptionId,
        resourceGroup: azure.resourceGroup,
        clusterName: azure.clusterName,
      });
    }
  });

  it('passes --coexist when asked to run beside Kaito', () => {
    const container = deploymentOf(helmTemplate({ ...defaults, coexist: true })).spec!.template.spec!
      .containers[0]!;
    expect(parseFlags(container.args!.slice(1), agentFlags).values.coexist).toBe(true);
  });
});

describe('live status in the chart', () => {
  it('is off by default and passes --report and its API root the agent command accepts when on', () => {
    const args = (values: ChartValues) =>
      deploymentOf(helmTemplate(values)).spec!.template.spec!.containers[0]!.args!.slice(1);
    expect(parseFlags(args(defaults), agentFlags).values.report).toBe('');
    const on = parseFlags(
      args({
        ...defaults,
        report: { provider: 'gitlab', apiUrl: 'https://gitlab.example', secretName: 'gl' },
      }),
      agentFlags,
    ).values;
    expect([on.report, on['report-api-url']]).toEqual(['gitlab', 'https://gitlab.example']);
  });
});
