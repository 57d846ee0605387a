/**
 * Sizing models outside the catalog through the real `@huggingface/hub` client, pointed at a local Hub
 * that serves `config.json` and `model.safetensors.index.json` the way huggingface.co does (LFS redirects,
 * range probes, 401/403 for gated models, EntryNotFound).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../src/catalog/load.ts';
import { sizeFromHub } from '../../src/cli/huggingface-hub.ts';
import {
  QWEN3_4B,
  QWEN3_4B_FACTS,
  safetensorsIndex,
  startHubServer,
  type HubServer,
} from '../support/hf-hub-server.ts';

const catalog = await readCatalog();
const rules = catalog.huggingFaceRules;
const GiB = 1024 ** 3;
const TOKEN = 'hf_localtesttoken';

let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer(
    [
      QWEN3_4B,
      {
        id: 'acme/tiny-llama',
        files: {
          'config.json': JSON.stringify({
            architectures: ['LlamaForCausalLM'],
            hidden_size: 2048,
            num_hidden_layers: 22,
            num_attention_heads: 32,
            num_key_value_heads: 4,
            max_position_embeddings: 2048,
          }),
        },
        lfsFiles: { 'model.safetensors': Math.round(2.05 * GiB) },
      },
      {
        id: 'meta-llama/Llama-3.2-1B-Instruct',
        files: {
          'config.json': JSON.stringify({
            architectures: ['LlamaForCausalLM'],
            hidden_size: 2048,
            num_hidden_layers: 16,
            num_attention_heads: 32,
            num_key_value_heads: 8,
            max_position_embeddings: 131072,
          }),
          'model.safetensors.index.json': safetensorsIndex(Math.round(2.3 * GiB)),
        },
        gatedFor: [TOKEN],
      },
      { id: 'acme/no-weights', files: { 'config.json': '{"architectures":["LlamaForCausalLM"]}' } },
      {
        id: 'acme/speech',
        files: {
          'config.json': '{"architectures":["MadeUpForSpeech"]}',
          'model.safetensors.index.json': safetensorsIndex(GiB),
        },
      },
    ],
    [TOKEN, 'hf_noaccess'],
  );
});
afterAll(async () => hub.close());

describe('sizing a Hugging Face model from the Hub', () => {
  it('reads config.json and the total size from the safetensors index', async () => {
    const result = await sizeFromHub('Qwen/Qwen3-4B', rules, { hubUrl: hub.url });
    expect(result).toEqual({
      ok: true,
      entry: {
        gated: false,
        facts: QWEN3_4B_FACTS,
      },
    });
    // No token is sent where the Hub does not ask for one.
    expect(hub.requests.filter((r) => r.path.includes('Qwen3-4B')).every((r) => r.token === undefined)).toBe(
      true,
    );
  });

  it('takes the size of a single model.safetensors (an LFS file) when there is no index', async () => {
    const result = await sizeFromHub('acme/tiny-llama', rules, { hubUrl: hub.url });
    expect(result.ok && result.entry.facts.modelFileSizeGiB).toBe(2.05);
  });

  it('marks a gated model and sends HF_TOKEN only after the Hub asked for it', async () => {
    const result = await sizeFromHub('meta-llama/Llama-3.2-1B-Instruct', rules, {
      hubUrl: hub.url,
      token: TOKEN,
    });
    expect(result).toMatchObject({ ok: true, entry: { gated: true, facts: { modelFileSizeGiB: 2.3 } } });
    const statuses = hub.requests
      .filter((r) => r.path.endsWith('Llama-3.2-1B-Instruct/resolve/main/config.json'))
      .map((r) => [r.status, r.token]);
    expect(statuses).toEqual([
      [401, undefined],
      [206, TOKEN],
      [200, TOKEN],
    ]);
  });

  it.each<[string, string, string | undefined, RegExp]>([
    [
      'gated without HF_TOKEN',
      'meta-llama/Llama-3.2-1B-Instruct',
      undefined,
      /set HF_TOKEN to a token with access/,
    ],
    [
      'gated, token without access',
      'meta-llama/Llama-3.2-1B-Instruct',
      'hf_noaccess',
      /HF_TOKEN has no access/,
    ],
    ['no such model', 'acme/nothing-here', undefined, /set HF_TOKEN|no such model/],
    ['no such model, with a token', 'acme/nothing-here', TOKEN, /no such model on the Hub/],
    [
      'no safetensors weights',
      'acme/no-weights',
      undefined,
      /neither model.safetensors.index.json nor model.safetensors/,
    ],
    [
      'an architecture vLLM does not serve',
      'acme/speech',
      undefined,
      /unsupported model architecture for acme\/speech: MadeUpForSpeech/,
    ],
  ])('refuses with a sentence to act on: %s', async (_, id, token, message) => {
    const result = await sizeFromHub(id, rules, { hubUrl: hub.url, ...(token ? { token } : {}) });
    expect(result).toMatchObject({ ok: false, kind: 'refused' });
    expect(!result.ok && result.message).toMatch(message);
  });

  it('says the Hub cannot be reached when nothing answers', async () => {
    const result = await sizeFromHub('Qwen/Qwen3-4B', rules, { hubUrl: 'http://127.0.0.1:9' });
    expect(result).toMatchObject({ ok: false, kind: 'unreachable' });
    expect(!result.ok && result.message).toMatch(
      /^Qwen\/Qwen3-4B: cannot reach the Hugging Face Hub at http:\/\/127\.0\.0\.1:9/,
    );
  });
});
