/**
 * A Hugging Face model outside the catalog, end to end through the CLI: `plan` sizes it from a local
 * Hub and writes the cache file next to the specs; `validate` and `synth` then plan it the same way with
 * no network at all; without the cache and without a Hub, the message names the file to add.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { QWEN3_4B, safetensorsIndex, startHubServer, type HubServer } from '../support/hf-hub-server.ts';

const GiB = 1024 ** 3;
const NO_HUB = { HF_ENDPOINT: 'http://127.0.0.1:9' };
const spec = (name: string, model: string, secret = '') => `apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: ${name}
resource:
  instanceType: Standard_NC24ads_A100_v4
  labelSelector:
    matchLabels:
      apps: ${name}
inference:
  preset:
    name: ${model}
${secret ? `    presetOptions:\n      modelAccessSecret: ${secret}\n` : ''}`;

let hub: HubServer;
let dir: string;
beforeAll(async () => {
  hub = await startHubServer(
    [
      QWEN3_4B,
      {
        id: 'acme/gated-8b',
        files: {
          'config.json': JSON.stringify({
            architectures: ['LlamaForCausalLM'],
            hidden_size: 4096,
            num_hidden_layers: 32,
            num_attention_heads: 32,
            num_key_value_heads: 8,
            max_position_embeddings: 8192,
          }),
          'model.safetensors.index.json': safetensorsIndex(Math.round(14.96 * GiB)),
        },
        gatedFor: ['hf_granted'],
      },
    ],
    ['hf_granted'],
  );
  dir = await mkdtemp(join(tmpdir(), 'hf-plan-'));
});
afterAll(async () => {
  await hub.close();
  await rm(dir, { recursive: true, force: true });
});

describe('plan with a Hugging Face ID outside the catalog', () => {
  it('says which file to add when neither the cache nor the Hub can size it', async () => {
    const specs = join(dir, 'offline');
    await mkdir(specs, { recursive: true });
    await writeFile(join(specs, 'qwen3.yaml'), spec('qwen3', 'Qwen/Qwen3-4B'));
    const run = await runCli(['plan', 'offline'], dir, NO_HUB);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'kaito-gitops plan: Qwen/Qwen3-4B: cannot reach the Hugging Face Hub at http://127.0.0.1:9',
    );
    expect(run.stderr).toContain(
      'offline/qwen3.yaml:12:5: Workspace default/qwen3: inference.preset.name: Qwen/Qwen3-4B is not in the model catalog, and offline/.kaito-gitops/huggingface-models.yaml does not size it',
    );
    const validate = await runCli(['validate', 'offline'], dir, NO_HUB);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain('commit offline/.kaito-gitops/huggingface-models.yaml');
  });

  it('sizes it from the Hub, writes the cache, and every later route plans it without network', async () => {
    const specs = join(dir, 'specs');
    await mkdir(specs, { recursive: true });
    await writeFile(join(specs, 'qwen3.yaml'), spec('qwen3', 'Qwen/Qwen3-4B'));
    await writeFile(join(specs, 'gated.yaml'), spec('gated', 'acme/gated-8b', 'hf-token'));

    const planned = await runCli(['plan', 'specs'], dir, { HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_granted' });
    expect(planned.stderr).toBe(
      'sized Qwen/Qwen3-4B from the Hugging Face Hub\nsized acme/gated-8b from the Hugging Face Hub\n',
    );
    expect(planned.code).toBe(0);
    expect(planned.stdout).toMatch(
      /--tool-call-parser=hermes --enable-auto-tool-choice --reasoning-parser=qwen3/,
    );
    expect(planned.stdout).toMatch(/--served-model-name=qwen3-4b --model=Qwen\/Qwen3-4B/);

    const cache = await readFile(join(specs, '.kaito-gitops/huggingface-models.yaml'), 'utf8');
    expect(cache).toContain(`huggingFaceModels:
  - id: acme/gated-8b
    gated: true
    modelFileSize: 14.96Gi
    architectures: [LlamaForCausalLM]
    modelTokenLimit: 8192`);
    expect(cache).toContain(`  - id: Qwen/Qwen3-4B
    modelFileSize: 7.49Gi
    architectures: [Qwen3ForCausalLM]`);

    const requests = hub.requests.length;
    const again = await runCli(['plan', 'specs'], dir, NO_HUB);
    expect(again.code).toBe(0);
    expect(hub.requests.length).toBe(requests);
    expect(await readFile(join(specs, '.kaito-gitops/huggingface-models.yaml'), 'utf8')).toBe(cache);

    expect((await runCli(['validate', 'specs'], dir, NO_HUB)).code).toBe(0);
    const synth = await runCli(['synth', '--workspaces', 'specs', '--out', 'out'], dir, NO_HUB);
    expect(synth.code).toBe(0);
    const deployment = await readFile(
      join(dir, 'out/workspaces/default/qwen3/deployment-qwen3.yaml'),
      'utf8',
    );
    expect(deployment).toContain('--model=Qwen/Qwen3-4B');
  });

  it('a gated model without HF_TOKEN: the sentence says to set it', async () => {
    const specs = join(dir, 'gated');
    await mkdir(specs, { recursive: true });
    await writeFile(join(specs, 'gated.yaml'), spec('gated', 'acme/gated-8b', 'hf-token'));
    const run = await runCli(['plan', 'gated'], dir, { HF_ENDPOINT: hub.url });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'kaito-gitops plan: acme/gated-8b: the Hub asks for authentication (a gated or private model): set HF_TOKEN to a token with access to it',
    );
  });
});
