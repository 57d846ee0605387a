/**
 * N generated Workspace spec files for the benchmarks: the bundled examples (a single-node preset,
 * adapters, a multi-node Workspace with its ConfigMap, tuning) cycled, renamed and spread over ten
 * namespaces.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceFile } from '../src/pipeline.ts';

const EXAMPLES = join(import.meta.dirname, '..', 'gitops', 'workspaces');
const FILES = ['phi-3-mini.yaml', 'phi-3-adapter.yaml', 'llama-3.3-70b.yaml', 'phi-3-tuning.yaml'];

export const NAMESPACES = 10;

export async function generateSpecs(n: number): Promise<SourceFile[]> {
  const examples = await Promise.all(FILES.map((file) => readFile(join(EXAMPLES, file), 'utf8')));
  return Array.from({ length: n }, (_, i) => {
    const id = `ws-${String(i).padStart(5, '0')}`;
    const namespace = `team-${i % NAMESPACES}`;
    const content = (examples[i % examples.length] ?? '')
      .replace(/name: (workspace-[a-z0-9-]+)/, `name: ${id}\n  namespace: ${namespace}`)
      .replace('name: llama-inference-params', `name: ${id}-params\n  namespace: ${namespace}`)
      .replace('config: llama-inference-params', `config: ${id}-params`);
    return { path: `${id}.yaml`, content };
  });
}

/** Writes the specs into `dir` (created), as a source directory `synth --workspaces` reads. */
export async function writeSpecs(dir: string, specs: readonly SourceFile[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(specs.map((spec) => writeFile(join(dir, spec.path), spec.content)));
}
