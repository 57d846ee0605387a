/**
 * A Hugging Face ID outside the catalog on the GitOps route: sync reads the cache file committed next to
 * the specs from the source repository (a real git server), renders the model as `synth` does, and the
 * rendered Workspace carries the model's facts so the agent plans it the same way, offline.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planWorkspace, type WorkspaceObject } from '../../../src/agent/workspace-object.ts';
import { formatHuggingFaceCache, readCatalog, type Catalog } from '../../../src/catalog/index.ts';
import { hydrate } from '../../../src/pipeline.ts';
import { Redactor } from '../../../src/sync/credentials.ts';
import { SyncEngine } from '../../../src/sync/engine.ts';
import { jsonLogger } from '../../../src/observe/index.ts';
import { QWEN3_4B_FACTS, QWEN3_4B_WORKSPACE } from '../../support/hf-hub-server.ts';
import {
  Checkout,
  GIT_PASSWORD,
  GIT_USER,
  git,
  startGitRemote,
  type GitRemote,
} from '../../support/git-remote.ts';

const SPEC = QWEN3_4B_WORKSPACE;
const CACHE = formatHuggingFaceCache([
  {
    gated: false,
    facts: QWEN3_4B_FACTS,
  },
]);

let remote: GitRemote;
let catalog: Catalog;
let author: Checkout;

beforeAll(async () => {
  [remote, catalog] = await Promise.all([startGitRemote(), readCatalog()]);
  await remote.createRepo('hf-models.git');
  await remote.createRepo('hf-deploy.git');
  author = await Checkout.create(remote, 'hf-models.git', 'hf-author');
});
afterAll(async () => remote.close());

function engine(): SyncEngine {
  const redactor = new Redactor([GIT_PASSWORD]);
  const credentials = () => Promise.resolve({ username: GIT_USER, password: GIT_PASSWORD });
  return new SyncEngine(
    {
      source: { url: remote.url('hf-models.git'), ref: 'main', path: 'specs' },
      target: { url: remote.url('hf-deploy.git'), branch: 'deploy', path: 'prod' },
      cacheDir: join(remote.root, 'cache', 'hf'),
      backoffMs: 5,
    },
    {
      render: hydrate,
      catalog,
      credentials: { source: credentials, target: credentials },
      redactor,
      logger: jsonLogger(() => {}, redactor),
    },
  );
}

describe('sync with the Hugging Face cache file', () => {
  it('refuses the ID while the cache file is missing, naming the file to commit', async () => {
    await author.change({ 'specs/qwen3.yaml': SPEC }, 'a model outside the catalog');
    const result = await engine().sync();
    expect(result.errors.flatMap((e) => e.problems.map((p) => p.message)).join('\n')).toContain(
      'Qwen/Qwen3-4B is not in the model catalog, and specs/.kaito-gitops/huggingface-models.yaml does not size it',
    );
  });

  it('renders it once the cache file is committed, and the agent plans the rendered Workspace', async () => {
    await author.change({ 'specs/.kaito-gitops/huggingface-models.yaml': CACHE }, 'size Qwen3-4B');
    const result = await engine().sync();
    expect(result.errors).toEqual([]);
    expect(result.outcome).toBe('pushed');
    const dir = await remote.scratch('hf-deploy');
    await git(dir, 'clone', '-q', '--branch', 'deploy', remote.authedUrl('hf-deploy.git'), '.');
    const deployment = await readFile(
      join(dir, 'prod/workspaces/default/qwen3/deployment-qwen3.yaml'),
      'utf8',
    );
    expect(deployment).toContain('--reasoning-parser=qwen3 --gpu-memory-utilization=0.84');
    const object = parse(
      await readFile(join(dir, 'prod/workspaces/default/qwen3/workspace-qwen3.yaml'), 'utf8'),
    ) as WorkspaceObject;
    expect(object.metadata?.annotations?.['kaito-gitops.io/huggingface-model']).toBe(
      '{"id":"Qwen/Qwen3-4B","modelFileSize":"7.49Gi","architectures":["Qwen3ForCausalLM"],"modelTokenLimit":40960,"hiddenSize":2560,"numHiddenLayers":36,"numAttentionHeads":32,"numKeyValueHeads":8,"headDim":128}',
    );
    const planned = planWorkspace(object, catalog);
    expect(planned.ok && planned.plan.command[2]).toBe(
      parse(deployment).spec.template.spec.containers[0].command[2],
    );
    // Without the facts, the agent (with only the catalog) could not size it.
    delete object.metadata?.annotations?.['kaito-gitops.io/huggingface-model'];
    expect(planWorkspace(object, catalog).ok).toBe(false);
  });
});
