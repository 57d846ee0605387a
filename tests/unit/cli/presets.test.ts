import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.ts';
import type { CliIO } from '../../../src/cli/command.ts';
import { main } from '../../../src/cli/main.ts';
import { presets } from '../../../src/cli/presets.ts';

function captured(cwd = process.cwd()): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    env: {},
    cwd,
    stopped: new Promise(() => {}),
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'presets-cli-'));
  await writeFile(
    join(dir, 'models.yaml'),
    `registry: r
baseImage: { repository: r/base, tag: '1' }
models:
  - { name: m, huggingFaceId: o/m, weightsGiB: 1.5, diskGiB: 10, contextTokens: 4096, bytesPerToken: 1024, runtimes: { vllm: { args: {} } } }
`,
  );
  await writeFile(
    join(dir, 'skus.yaml'),
    `cloud: aws
priceSource: made-up test prices
skus:
  - { name: g.x, gpuCount: 1, gpuMemoryGiB: 24, gpuModel: NVIDIA L4, pricePerHourUsd: 0.8 }
  - { name: g.y, gpuCount: 2, gpuMemoryGiB: 48, gpuModel: NVIDIA L4 }
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kaito-gitops presets', () => {
  it('prints the catalog IDs with their short names, then the legacy presets, as a table', async () => {
    const io = captured();
    expect(await presets.run([], io)).toBe(0);
    const lines = io.out.join('').split('\n');
    expect(lines[0]).toMatch(
      /^NAME\s+SHORT NAMES\s+WEIGHTS\s+CONTEXT\s+RUNTIMES\s+TUNING\s+TOOL CALLS\s+REASONING\s+HF TOKEN$/,
    );
    expect(lines.find((l) => l.startsWith('meta-llama/Llama-3.3-70B-Instruct '))).toMatch(
      /^meta-llama\/Llama-3\.3-70B-Instruct\s+llama-3\.3-70b-instruct\s+131\.42Gi\s+131072\s+vllm,transformers\s+no\s+llama3_json\s+-\s+yes$/,
    );
    expect(lines.find((l) => l.startsWith('Qwen/Qwen3.6-27B '))).toMatch(
      /\s+-\s+51\.75Gi\s+262144\s+vllm\s+no\s+qwen3_coder\s+qwen3\s+no$/,
    );
    expect(lines.some((l) => l.startsWith('phi-2 (deprecated)'))).toBe(true);
    expect(lines.some((l) => l.startsWith('llama-2-13b (private)'))).toBe(true);
  });

  it('reads --presets relative to the working directory, JSON output', async () => {
    const io = captured(join(dir, '..'));
    expect(await presets.run(['--presets', dir.split('/').pop() ?? '', '--output', 'json'], io)).toBe(0);
    expect(JSON.parse(io.out.join(''))).toEqual({
      presets: [
        {
          name: 'm',
          shortNames: [],
          weightsGiB: 1.5,
          contextTokens: 4096,
          runtimes: ['vllm'],
          tuning: false,
          toolCallParser: '',
          reasoningParser: '',
          gated: false,
          access: 'public',
          deprecated: false,
        },
      ],
    });
  });

  it('--skus prints prices and where they come from', async () => {
    const io = captured();
    expect(await presets.run(['--presets', dir, '--skus'], io)).toBe(0);
    expect(io.out.join('')).toBe(
      [
        'NAME  CLOUD  GPUS  GPU        GPU MEMORY  PRICE',
        'g.x   aws    1     NVIDIA L4  24Gi        $0.80/h',
        'g.y   aws    2     NVIDIA L4  48Gi        -',
        '',
        'Prices: USD per node-hour. aws: made-up test prices',
        '',
      ].join('\n'),
    );
  });

  it('--skus --output json', async () => {
    const io = captured();
    await presets.run(['--presets', dir, '--skus', '-o', 'json'], io);
    const parsed = JSON.parse(io.out.join(''));
    expect(parsed.priceSources).toEqual({ aws: 'made-up test prices' });
    expect(parsed.skus[1]).toEqual({
      name: 'g.y',
      cloud: 'aws',
      gpus: 2,
      gpuModel: 'NVIDIA L4',
      gpuMemoryGiB: 48,
      pricePerHourUsd: null,
    });
  });

  it.each([
    [['--presets', '/nonexistent/presets-dir'], /--presets \/nonexistent\/presets-dir: no such directory/],
    [['--output', 'yaml'], /--output must be "text" or "json"/],
    [['--bogus'], /unknown flag --bogus/],
  ])('%j is a usage error', async (args, message) => {
    await expect(presets.run(args, captured())).rejects.toThrow(UsageError);
    await expect(presets.run(args, captured())).rejects.toThrow(message);
  });

  it('is wired into the dispatcher; a broken catalog exits 1 with file and path', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'presets-broken-'));
    try {
      await writeFile(
        join(broken, 'models.yaml'),
        'registry: r\nbaseImage: { repository: r/b, tag: "1" }\nmodels:\n  - { name: x }\n',
      );
      const io = captured();
      expect(await main(['presets', '--presets', broken], io)).toBe(1);
      expect(io.err.join('')).toContain(
        `${broken.split('/').pop()}/models.yaml: models[0].weightsGiB: must be a positive number`,
      );
      const usage = captured();
      expect(await main(['presets', '--output', 'xml'], usage)).toBe(2);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});
