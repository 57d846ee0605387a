/**
 * Live status after merge: the agent against the kube API test server and the local GitHub API server,
 * through the real @kubernetes/client-node and @octokit/rest. The test plays the kubelet and the
 * Deployment controller; sync's provenance annotations say which commit each Workspace came from.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAgent, type AgentConfig, type RunningAgent } from '../../../src/agent/agent.ts';
import { readCatalog, type Catalog } from '../../../src/catalog/index.ts';
import { liveStatusSettings } from '../../../src/cli/agent.ts';
import type { CliIO } from '../../../src/cli/command.ts';
import { silentLogger } from '../../../src/observe/index.ts';
import { GitHubHost, composeComment, parseComment } from '../../../src/report/index.ts';
import { startGitHubApiServer, type GitHubApiServer } from '../../support/github-api-server.ts';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-api-server/index.ts';
import { workspaceDeployment, testAgentConfig } from '../../support/agent-config.ts';

const TOKEN = 'ghs_agent_token_0123456789';
const SHA = '5eed'.padEnd(40, 'a');
let kube: KubeApiServer;
let github: GitHubApiServer;
let catalog: Catalog;
let kc: k8s.KubeConfig;

beforeAll(async () => {
  [kube, github, catalog] = await Promise.all([
    startKubeApiServer({ bookmarkIntervalMs: 200 }),
    startGitHubApiServer(),
    readCatalog(),
  ]);
  kc = kube.kubeConfig();
  github.addToken(TOKEN);
});
afterAll(async () => {
  await Promise.all([kube.close(), github.close()]);
});

function cliIO(env: Record<string, string>): CliIO {
  return {
    stdout: () => undefined,
    stderr: () => undefined,
    env,
    cwd: process.cwd(),
    stopped: new Promise(() => {}),
  };
}

function config(identity: string): AgentConfig {
  return testAgentConfig(
    catalog,
    { name: 'live', identity },
    {
      provisioner: 'byo',
      liveStatus: {
        hostFor: (repository) =>
          new GitHubHost({
            repository,
            apiUrl: github.url,
            auth: { token: TOKEN },
            writeSpacingMs: 0,
            notFound: 'the repository',
          }),
        minIntervalMs: 0,
        retryMs: 50,
      },
    },
  );
}

/** A GPU node of our own, labelled as gpu-feature-discovery labels it. */
function seedNode(app: string): void {
  kube.seed({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: `gpu-${app}`,
      labels: {
        apps: app,
        'nvidia.com/gpu.product': 'Tesla-V100',
        'nvidia.com/gpu.count': '1',
        'nvidia.com/gpu.memory': '16384',
        'node.kubernetes.io/instance-type': 'Standard_NC6s_v3',
      },
    },
    status: { conditions: [{ type: 'Ready', status: 'True' }], capacity: { 'nvidia.com/gpu': '1' } },
  });
}

async function createWorkspace(name: string): Promise<void> {
  await kc.makeApiClient(k8s.CustomObjectsApi).createNamespacedCustomObject({
    group: 'kaito.sh',
    version: 'v1beta1',
    plural: 'workspaces',
    namespace: 'default',
    body: {
      apiVersion: 'kaito.sh/v1beta1',
      kind: 'Workspace',
      metadata: {
        name,
        namespace: 'default',
        annotations: {
          'kaito.sh/runtime': 'transformers',
          'gitops.kaito.sh/source-repository': 'https://github.com/acme/models.git',
          'gitops.kaito.sh/source-path': `gitops/workspaces/${name}.yaml`,
          'gitops.kaito.sh/source-commit': SHA,
        },
      },
      resource: { instanceType: 'Standard_NC6s_v3', labelSelector: { matchLabels: { apps: name } } },
      inference: { preset: { name: 'phi-3-mini-4k-instruct' } },
    },
  });
}

/** What the Deployment controller does once the pod is up. */
function deploymentReady(name: string): void {
  kube.seed(workspaceDeployment(name));
}

const statuses = () =>
  github
    .repository('acme/models')
    .statuses.filter((s) => s.sha === SHA && s.context === 'kaito-gitops/default/phi')
    .map((s) => s.state);

describe('live status after merge', () => {
  let agent: RunningAgent | undefined;

  it('sets pending then success on the source commit and edits the pull request comment once Ready', async () => {
    const repo = github.repository('acme/models');
    repo.commits.add(SHA);
    repo.pulls.push({
      number: 7,
      state: 'closed',
      mergedAt: new Date().toISOString(),
      head: SHA,
      base: SHA,
      commits: [SHA],
    });
    const now = new Date().toISOString();
    repo.comments.push({
      id: 1,
      issue: 7,
      body: composeComment({ plan: 'the plan\n' }),
      login: 'bot',
      createdAt: now,
      updatedAt: now,
    });
    seedNode('phi');
    agent = await startAgent(kc, config('first'), silentLogger);
    await createWorkspace('phi');
    await vi.waitFor(() => expect(statuses()).toEqual(['pending']), { timeout: 10_000 });
    deploymentReady('phi');
    await vi.waitFor(() => expect(statuses()).toEqual(['pending', 'success']), { timeout: 10_000 });
    await vi.waitFor(() => expect(parseComment(repo.comments[0]?.body ?? '').status).toContain('✅ Ready'), {
      timeout: 10_000,
    });
    expect(repo.comments).toHaveLength(1);
    expect(parseComment(repo.comments[0]?.body ?? '')).toMatchObject({ plan: 'the plan\n' });
    expect(parseComment(repo.comments[0]?.body ?? '').status).toContain('| `default/phi` | ✅ Ready |');
  });

  it('writes nothing again after a restart when nothing changed', async () => {
    await agent?.stop();
    const before = github.requests.length;
    const body = github.repository('acme/models').comments[0]?.body;
    agent = await startAgent(kc, config('second'), silentLogger);
    // the new leader reads what is on the commit before it would write
    await vi.waitFor(
      () =>
        expect(
          github.requests
            .slice(before)
            .some((r) => r.method === 'GET' && r.path.endsWith(`/commits/${SHA}/statuses`)),
        ).toBe(true),
      { timeout: 10_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await agent.stop();
    const writes = github.requests.slice(before).filter((r) => r.method !== 'GET');
    expect(writes).toEqual([]);
    expect(statuses()).toEqual(['pending', 'success']);
    expect(github.repository('acme/models').comments[0]?.body).toBe(body);
  });

  it('never holds up the Workspace status while GitHub fails, and catches up afterwards', async () => {
    github.failNext(503, 4);
    seedNode('outage');
    agent = await startAgent(kc, config('third'), silentLogger);
    await createWorkspace('outage');
    deploymentReady('outage');
    const ready = () =>
      (
        (
          kube.get('kaito.sh/v1beta1', 'Workspace', 'outage', 'default')?.status as
            { conditions?: { type: string; status: string }[] } | undefined
        )?.conditions ?? []
      ).find((c) => c.type === 'Ready')?.status;
    await vi.waitFor(() => expect(ready()).toBe('True'), { timeout: 10_000 });
    await vi.waitFor(
      () =>
        expect(
          github
            .repository('acme/models')
            .statuses.filter((s) => s.context === 'kaito-gitops/default/outage')
            .map((s) => s.state),
        ).toContain('success'),
      { timeout: 15_000 },
    );
    expect(github.requests.filter((r) => r.status === 503)).toHaveLength(4);
    await agent.stop();
  });
});

describe('the code host the agent opens (agent --report)', () => {
  it('says, on a 404, to check the Workspace’s source annotation and --report-api-url, not report plan’s flags', async () => {
    const settings = await liveStatusSettings(
      'github',
      github.url,
      cliIO({ GITHUB_TOKEN: TOKEN }),
      silentLogger,
    );
    const error = await settings
      ?.hostFor('acme/gone')
      .comments(1)
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "GitHub: list comments of acme/gone#1: 404 Not Found (check that the credentials can see the repository in the Workspace's gitops.kaito.sh/source-repository annotation (sync's --source), and that --report-api-url (else GITHUB_API_URL) is the API of its code host)",
    );
  });
});
