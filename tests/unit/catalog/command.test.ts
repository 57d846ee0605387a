import { describe, expect, it } from 'vitest';
import {
  accelerateInferenceCommand,
  renderFlags,
  shell,
  torchrunInferenceCommand,
  tuningCommand,
  vllmCommand,
  vllmParallelism,
} from '../../../src/catalog/command.ts';
import type { ModelPreset } from '../../../src/catalog/types.ts';
import { catalog } from './fixtures.ts';

/** A preset shaped like Kaito's test model: no extra vLLM args, weights not downloaded. */
const mymodel: ModelPreset = {
  ...catalog.presets.require('phi-3-mini-4k-instruct'),
  name: 'mymodel',
  servedModelName: 'mymodel',
  runtimes: { vllm: { args: {}, loraAdapters: true } },
};
const single = { tensor: 1, pipeline: 1, data: 1, disableKvCacheOffload: false };

describe('vllmCommand', () => {
  it("matches Kaito's unit-test expected string (plus the KV-event and fusion flags Kaito v0.12 adds)", () => {
    // pkg/workspace/inference/preset_inferences_test.go
    const kaito =
      'python3 /workspace/vllm/inference_api.py --gpu-memory-utilization=0.84 --max-model-len=auto --tensor-parallel-size=1 --served-model-name=mymodel';
    const command = vllmCommand({
      preset: mymodel,
      parallelism: single,
      downloadWeights: false,
      adapters: false,
      configFile: false,
    });
    expect(shell(command)).toEqual([
      '/bin/sh',
      '-c',
      `${kaito} --kv-events-config='{"enable_kv_cache_events":true}' --compilation-config.pass_config.fuse_allreduce_rms=False`,
    ]);
  });

  it.each([
    [
      'catalog args first, then download, adapters, config, A10 utilization',
      {
        preset: catalog.presets.require('microsoft/Phi-4-mini-instruct'),
        gpuModel: 'NVIDIA A10',
        parallelism: single,
        downloadWeights: true,
        adapters: true,
        configFile: true,
      },
      'python3 /workspace/vllm/inference_api.py --load_format=auto --config_format=auto --tokenizer_mode=auto ' +
        '--trust-remote-code --dtype=bfloat16 --chat-template=/workspace/chat_templates/tool-chat-phi4-mini.jinja ' +
        '--gpu-memory-utilization=0.82 --max-model-len=auto --tensor-parallel-size=1 ' +
        '--served-model-name=phi-4-mini-instruct --model=microsoft/Phi-4-mini-instruct ' +
        '--download-dir=/workspace/weights --enable-lora --kaito-config-file=/mnt/config/inference_config.yaml ' +
        `--kv-events-config='{"enable_kv_cache_events":true}' --compilation-config.pass_config.fuse_allreduce_rms=False`,
    ],
    [
      'data parallel turns KV-cache offload off; performance mode passed through',
      {
        preset: mymodel,
        parallelism: { tensor: 1, pipeline: 1, data: 4, disableKvCacheOffload: true },
        downloadWeights: false,
        adapters: false,
        configFile: false,
        performanceMode: 'throughput',
      },
      'python3 /workspace/vllm/inference_api.py --gpu-memory-utilization=0.84 --max-model-len=auto --data-parallel-size=4 ' +
        '--tensor-parallel-size=1 --served-model-name=mymodel --kaito-kv-cache-cpu-memory-utilization=0 ' +
        `--kv-events-config='{"enable_kv_cache_events":true}' ` +
        '--compilation-config.pass_config.fuse_allreduce_rms=False --performance-mode=throughput',
    ],
    [
      'multi-node: Ray leader and worker around the server',
      {
        preset: mymodel,
        parallelism: { tensor: 2, pipeline: 2, data: 1, disableKvCacheOffload: true },
        downloadWeights: false,
        adapters: false,
        configFile: false,
        performanceMode: 'balanced',
        multiNode: { nodes: 2, leaderAddress: 'ws-0.ws-headless.ns.svc.cluster.local' },
      },
      'if [ "${POD_INDEX}" = "0" ]; then /workspace/vllm/multi-node-serving.sh leader --ray_cluster_size=2 --ray_port=6379; ' +
        'python3 /workspace/vllm/inference_api.py --gpu-memory-utilization=0.84 --max-model-len=auto --tensor-parallel-size=2 ' +
        '--pipeline-parallel-size=2 --distributed-executor-backend=ray --served-model-name=mymodel ' +
        `--kaito-kv-cache-cpu-memory-utilization=0 --kv-events-config='{"enable_kv_cache_events":true}' ` +
        '--compilation-config.pass_config.fuse_allreduce_rms=False; ' +
        'else /workspace/vllm/multi-node-serving.sh worker --ray_address=ws-0.ws-headless.ns.svc.cluster.local --ray_port=6379; fi',
    ],
  ])('%s', (_name, input, expected) => {
    expect(vllmCommand(input)).toBe(expected);
  });
});

describe('vllmParallelism (Kaito configureParallelism)', () => {
  it.each([
    [
      'one GPU: tensor 1',
      7.12,
      1,
      80,
      1,
      false,
      { tensor: 1, pipeline: 1, data: 1, disableKvCacheOffload: false },
    ],
    [
      'small model, 4 GPUs: one replica per GPU',
      7.12,
      4,
      320,
      1,
      false,
      { tensor: 1, pipeline: 1, data: 4, disableKvCacheOffload: true },
    ],
    [
      'exactly half a GPU is not under half: tensor',
      40,
      2,
      160,
      1,
      false,
      { tensor: 2, pipeline: 1, data: 1, disableKvCacheOffload: false },
    ],
    [
      'big model, 2 GPUs: tensor across them',
      61.03,
      2,
      160,
      1,
      false,
      { tensor: 2, pipeline: 1, data: 1, disableKvCacheOffload: false },
    ],
    [
      'two nodes: tensor in a node, pipeline across',
      131.42,
      2,
      160,
      2,
      true,
      { tensor: 2, pipeline: 2, data: 1, disableKvCacheOffload: true },
    ],
    [
      'small model on several nodes: no data parallel',
      7.12,
      4,
      320,
      2,
      true,
      { tensor: 4, pipeline: 2, data: 1, disableKvCacheOffload: true },
    ],
    [
      'unknown node memory: tensor',
      7.12,
      4,
      undefined,
      1,
      false,
      { tensor: 4, pipeline: 1, data: 1, disableKvCacheOffload: false },
    ],
  ])('%s', (_name, weightsGiB, gpusPerNode, nodeGpuMemoryGiB, nodes, multiNode, expected) => {
    expect(vllmParallelism({ weightsGiB, gpusPerNode, nodeGpuMemoryGiB, nodes, multiNode })).toEqual(
      expected,
    );
  });
});

describe('transformers and tuning commands', () => {
  it('accelerate with the preset image (v0.3.2)', () => {
    expect(accelerateInferenceCommand(catalog.presets.require('falcon-7b'), false)).toBe(
      'accelerate launch --num_processes=1 --num_machines=1 --machine_rank=0 --gpu_ids=all /workspace/tfs/inference_api.py --torch_dtype=bfloat16 --pipeline=text-generation',
    );
  });

  it('accelerate downloading from Hugging Face (v0.12 base image)', () => {
    expect(accelerateInferenceCommand(catalog.presets.require('gemma-3-4b-instruct'), true)).toBe(
      'accelerate launch --num_processes=1 --num_machines=1 --machine_rank=0 --gpu_ids=all /workspace/tfs/inference_api.py --torch_dtype=auto --pretrained_model_name_or_path=google/gemma-3-4b-it --allow_remote_files',
    );
  });

  it.each([
    [
      'llama-2-7b, one node',
      'llama-2-7b',
      false,
      1,
      'cd /workspace/llama/llama-2 && torchrun --nnodes=1 --nproc_per_node=1 --node_rank=0 --master_addr=localhost --master_port=29500 --max_restarts=3 --rdzv_id=job --rdzv_backend=c10d --rdzv_endpoint=localhost:29500 inference_api.py --max_seq_len=512 --max_batch_size=8',
    ],
    [
      'llama-2-70b over two nodes',
      'llama-2-70b',
      true,
      2,
      "cd /workspace/llama/llama-2 && torchrun --nnodes=2 --nproc_per_node=4 --node_rank=$(echo $HOSTNAME | grep -o '[^-]*$') --master_addr=ws-0.ws-headless.ns.svc.cluster.local --master_port=29500 --max_restarts=3 --rdzv_id=job --rdzv_backend=c10d --rdzv_endpoint=ws-0.ws-headless.ns.svc.cluster.local:29500 inference_api.py --max_seq_len=512 --max_batch_size=8",
    ],
  ])('torchrun: %s', (_name, preset, distributed, nodes, expected) => {
    expect(
      torchrunInferenceCommand(catalog.presets.require(preset), {
        distributed,
        nodes,
        leaderAddress: 'ws-0.ws-headless.ns.svc.cluster.local',
      }),
    ).toBe(expected);
  });

  it('tuning: one accelerate process per GPU', () => {
    expect(tuningCommand(4)).toBe(
      'cd /workspace/tfs/ && python3 metrics_server.py & accelerate launch --num_processes=4 --num_machines=1 --machine_rank=0 --gpu_ids=all /workspace/tfs/fine_tuning.py',
    );
  });

  it('quotes flag values the shell would split', () => {
    expect(
      renderFlags([
        ['kv-events-config', '{"enable_kv_cache_events":true}'],
        ['x', "it's"],
        ['bare', true],
      ]),
    ).toBe(`--kv-events-config='{"enable_kv_cache_events":true}' --x='it'\\''s' --bare`);
  });
});
