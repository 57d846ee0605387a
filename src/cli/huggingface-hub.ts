/**
 * Sizing a Hugging Face model outside the catalog, at the CLI edge: `config.json` and the size of the
 * safetensors weights (`model.safetensors.index.json` `metadata.total_size`, or the size of a single
 * `model.safetensors`) through `@huggingface/hub`, turned into catalog facts the way Kaito's generator
 * reads them. Planning never calls this: `plan` stores the result in the Hugging Face cache file next to
 * the specs, and every route reads that file.
 *
 * Like Kaito, a model is marked gated when the Hub answers 401/403 without a token; `HF_TOKEN` is then
 * sent. Failures come back as values (each with a sentence a person can act on), so `plan` can report
 * every model and still size the rest.
 */
import { downloadFile, fileDownloadInfo, HubApiError } from '@huggingface/hub';
import { factsFromConfig, unsupportedArchitecture, type HuggingFaceRules } from '../catalog/index.ts';
import type { HuggingFaceCacheEntry } from '../catalog/index.ts';

export const DEFAULT_HUB_URL = 'https://huggingface.co';

export interface HubOptions {
  /** The Hub's address (`HF_ENDPOINT`). @default "https://huggingface.co" */
  hubUrl?: string;
  /** `HF_TOKEN`, sent only when the Hub asks for authentication. */
  token?: string;
  fetch?: typeof fetch;
}

export type HubResult =
  | { ok: true; entry: HuggingFaceCacheEntry }
  /** `unreachable`: no answer from the Hub at all; `refused`: the Hub answered, and the answer is final. */
  | { ok: false; kind: 'unreachable' | 'refused'; message: string };

class Refused extends Error {}

/** vLLM reads config.json with Python's json, which accepts NaN and Infinity; JSON.parse does not. */
function parseConfig(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text.replace(/(?<=[:,[\s])-?(?:Infinity|NaN)(?=\s*[,\]}])/g, 'null'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Refused('config.json is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

async function weightBytes(repo: string, credentials: HubOptions): Promise<number> {
  const index = await downloadFile({ repo, path: 'model.safetensors.index.json', ...credentials });
  if (index !== null) {
    const total = (JSON.parse(await index.text()) as { metadata?: { total_size?: unknown } }).metadata
      ?.total_size;
    if (typeof total !== 'number' || !(total > 0)) {
      throw new Refused('model.safetensors.index.json has no metadata.total_size');
    }
    return total;
  }
  const single = await fileDownloadInfo({ repo, path: 'model.safetensors', ...credentials });
  if (single === null) {
    throw new Refused(
      'it has neither model.safetensors.index.json nor model.safetensors (safetensors weights)',
    );
  }
  return single.size;
}

async function readModel(id: string, options: HubOptions & { accessToken?: string }) {
  const credentials = {
    ...(options.hubUrl !== undefined ? { hubUrl: options.hubUrl } : {}),
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    ...(options.accessToken !== undefined ? { accessToken: options.accessToken } : {}),
  };
  const config = await downloadFile({ repo: id, path: 'config.json', ...credentials });
  if (config === null) throw new Refused('it has no config.json');
  return { config: parseConfig(await config.text()), bytes: await weightBytes(id, credentials) };
}

function needsToken(error: unknown): boolean {
  return error instanceof HubApiError && (error.statusCode === 401 || error.statusCode === 403);
}

/** The facts of `id`, read from the Hub, or why they could not be. */
export async function sizeFromHub(
  id: string,
  rules: HuggingFaceRules,
  options: HubOptions = {},
): Promise<HubResult> {
  const hub = options.hubUrl ?? DEFAULT_HUB_URL;
  let gated = false;
  try {
    let read;
    try {
      read = await readModel(id, options);
    } catch (error) {
      if (!needsToken(error)) throw error;
      gated = true;
      if (options.token === undefined || options.token === '') {
        throw new Refused(
          'the Hub asks for authentication (a gated or private model): set HF_TOKEN to a token with access to it',
        );
      }
      if (!options.token.startsWith('hf_'))
        throw new Refused('HF_TOKEN must be a Hugging Face token (hf_...)');
      read = await readModel(id, { ...options, accessToken: options.token });
    }
    const facts = factsFromConfig(id, read.config, read.bytes, rules);
    const unsupported = unsupportedArchitecture(facts, rules);
    if (unsupported !== undefined) throw new Refused(unsupported);
    return { ok: true, entry: { facts, gated } };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, kind: 'refused', message: `${id}: ${error.message}` };
    if (error instanceof HubApiError) {
      const why =
        error.statusCode === 404 || error.statusCode === 401
          ? 'no such model on the Hub, or no access to it'
          : error.statusCode === 403
            ? 'HF_TOKEN has no access to it (accept the model licence on the Hub first)'
            : `the Hub answered ${error.statusCode}`;
      return { ok: false, kind: 'refused', message: `${id}: ${why} (${error.message.split('. URL:')[0]})` };
    }
    if (error instanceof SyntaxError) {
      return {
        ok: false,
        kind: 'refused',
        message: `${id}: the Hub sent a file that is not JSON (${error.message})`,
      };
    }
    const cause =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return {
      ok: false,
      kind: 'unreachable',
      message: `${id}: cannot reach the Hugging Face Hub at ${hub} (${cause})`,
    };
  }
}
