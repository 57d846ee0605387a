/**
 * `kaito-gitops adapter push|pull|inspect`: LoRA adapters as OCI images in Kaito's adapter image
 * format. Credentials come from docker config files (`--registry-config`, `$REGISTRY_AUTH_FILE`,
 * `$DOCKER_CONFIG`, `~/.docker/config.json`), read here once; progress is drawn on a terminal only.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import {
  ANONYMOUS,
  DockerConfigCredentials,
  KAITO_MODEL_ANNOTATION,
  RegistryClient,
  inspectAdapter,
  parseReference,
  pullAdapter,
  pushAdapter,
  type CredentialSource,
  type InspectedImage,
} from '../oci/index.ts';
import { waitForFile, writeTerminationMessage } from './adapter-in-pod.ts';
import { EXIT, outputFlag, outputFormat, parseFlags, type CliIO, type Command } from './command.ts';
import { parseDuration } from './duration.ts';
import { formatBytes, startProgress } from './progress.ts';

const usage = `usage: kaito-gitops adapter push DIR IMAGE [flags]
       kaito-gitops adapter pull IMAGE DIR [--replace] [flags]
       kaito-gitops adapter inspect IMAGE [--no-files] [flags]

push: the fine-tuning output in DIR (adapter_config.json, adapter_model.safetensors and the other files
at its top level; subdirectories such as checkpoint-*/ are left out) becomes an image in Kaito's adapter
format: one layer holding data/<files>, reproducible (the same files give the same digest; pushing
unchanged files again uploads nothing).
pull: the adapter files of IMAGE (Kaito v0.12 and v0.3-style images, scratch images, ORAS artifacts)
into DIR, which must be empty unless --replace.
inspect: digest, size, format, annotations, layers and files of IMAGE.

Registry flags:
  --registry-config PATH   docker config.json or a mounted kubernetes.io/dockerconfigjson Secret (file
                           or directory); repeat for several, the first that has the registry wins
                           (default: $REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json, else
                           ~/.docker/config.json when it exists; anonymous without any)
  --plain-http             talk HTTP to the registry, not HTTPS (a registry without TLS)
  --output text|json       (-o) what to print

push:
  --model PRESET           set the annotation ${KAITO_MODEL_ANNOTATION}=PRESET, as Kaito's tuning does
  --annotation KEY=VALUE   another manifest annotation (repeatable)
  --from IMAGE             an image in the same registry that may hold the same files: its layer is
                           mounted instead of uploaded when it matches (promoting an adapter)

push in Kaito's tuning pod (the output container of the tuning Job):
  --wait-for FILE          wait until DIR/FILE exists before pushing (Kaito: fine_tuning_completed.txt)
  --fail-when-alone        while waiting, fail once no other process is left in the pod (the pod sets
                           shareProcessNamespace: the trainer ended without writing FILE)
  --poll DURATION          how often to look for FILE (default 5s)
  --termination-message FILE
                           write IMAGE@sha256:... there after the push, or the reason it failed
                           (Kubernetes' terminationMessagePath, /dev/termination-log)

Exit codes: 0 done, 1 DIR is not a fine-tuning output, 2 usage, 3 the registry failed (auth, denied,
not found, unavailable after retries) or training ended without FILE.`;

const flags = {
  'registry-config': { type: 'string', multiple: true },
  'plain-http': { type: 'boolean', default: false },
  model: { type: 'string' },
  annotation: { type: 'string', multiple: true },
  from: { type: 'string' },
  replace: { type: 'boolean', default: false },
  'no-files': { type: 'boolean', default: false },
  'wait-for': { type: 'string' },
  'fail-when-alone': { type: 'boolean', default: false },
  poll: { type: 'string', default: '5s' },
  'termination-message': { type: 'string' },
  ...outputFlag,
} as const;

type Values = ReturnType<typeof parseFlags<typeof flags>>['values'];

/** The config files to read: flags first, else what docker and podman would read. */
export function registryConfigPaths(values: Values, io: CliIO): string[] {
  const given = values['registry-config'];
  if (given !== undefined && given.length > 0) return given.map((p) => resolve(io.cwd, p));
  const env = io.env;
  if (env['REGISTRY_AUTH_FILE']) return [resolve(io.cwd, env['REGISTRY_AUTH_FILE'])];
  if (env['DOCKER_CONFIG']) return [resolve(io.cwd, env['DOCKER_CONFIG'])];
  const home = env['HOME'];
  const fallback = home ? join(home, '.docker', 'config.json') : undefined;
  return fallback !== undefined && existsSync(fallback) ? [fallback] : [];
}

function annotations(values: Values): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of values.annotation ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--annotation must be KEY=VALUE, not "${pair}"`);
    result[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (values.model !== undefined) result[KAITO_MODEL_ANNOTATION] = values.model;
  return result;
}

/** The CLI's progress line for a transfer over 8 MiB, on a terminal only (not in logs or pods). */
function progressBar(
  io: CliIO,
  label: string,
): { update: (done: number, total: number) => void; stop: () => void } {
  const progress = startProgress(io, label, { unit: 'bytes', minTotal: 8 * 1024 * 1024 });
  return { update: (done, total) => progress.update(done, { total }), stop: () => progress.stop() };
}

async function push(
  positionals: string[],
  values: Values,
  client: RegistryClient,
  io: CliIO,
): Promise<number> {
  const [dirArg, image] = positionals;
  if (dirArg === undefined || image === undefined || positionals.length > 2) {
    throw new UsageError('adapter push takes DIR and IMAGE');
  }
  const dir = resolve(io.cwd, dirArg);
  const ref = parseReference(image);
  const extra = annotations(values);
  const termination = values['termination-message'];
  try {
    if (values['wait-for'] !== undefined) {
      const file = resolve(dir, values['wait-for']);
      io.stderr(`waiting for ${file}\n`);
      const outcome = await waitForFile({
        file,
        pollMs: parseDuration(values.poll ?? '5s', '--poll'),
        failWhenAlone: values['fail-when-alone'] ?? false,
        stopped: io.stopped,
      });
      if (outcome.kind !== 'ready') {
        const reason =
          outcome.kind === 'alone'
            ? `training ended without writing ${file}; nothing to push to ${image}`
            : `stopped while waiting for ${file}; nothing pushed to ${image}`;
        if (termination !== undefined) await writeTerminationMessage(termination, reason);
        io.stderr(`kaito-gitops adapter: ${reason}\n`);
        return EXIT.remote;
      }
    }
    const bar = progressBar(io, 'push');
    const pushed = await pushAdapter(client, dir, ref, {
      annotations: extra,
      onProgress: bar.update,
      ...(values.from !== undefined && { reuseFrom: parseReference(values.from) }),
    }).finally(bar.stop);
    if (termination !== undefined) await writeTerminationMessage(termination, pushed.reference);
    if (outputFormat(values.output) === 'json') {
      io.stdout(JSON.stringify(pushed, null, 2) + '\n');
    } else {
      io.stdout(`pushed ${pushed.reference}\n`);
      io.stdout(
        `  layer ${pushed.layer.digest} ${formatBytes(pushed.layer.size)}${pushed.layer.uploaded ? '' : ' (already in the registry)'}\n`,
      );
      for (const file of pushed.files) io.stdout(`  data/${file.name}  ${formatBytes(file.size)}\n`);
      if (pushed.skipped.length > 0) io.stdout(`  left out: ${pushed.skipped.join(', ')}\n`);
    }
    return EXIT.ok;
  } catch (error) {
    if (termination !== undefined)
      await writeTerminationMessage(termination, (error as Error).message).catch(() => undefined);
    throw error;
  }
}

async function pull(
  positionals: string[],
  values: Values,
  client: RegistryClient,
  io: CliIO,
): Promise<number> {
  const [image, dirArg] = positionals;
  if (image === undefined || dirArg === undefined || positionals.length > 2) {
    throw new UsageError('adapter pull takes IMAGE and DIR');
  }
  const dir = resolve(io.cwd, dirArg);
  const bar = progressBar(io, 'pull');
  const pulled = await pullAdapter(client, parseReference(image), dir, {
    replace: values.replace ?? false,
    onProgress: bar.update,
  }).finally(bar.stop);
  if (outputFormat(values.output) === 'json') {
    io.stdout(JSON.stringify({ ...pulled, directory: dir }, null, 2) + '\n');
  } else {
    io.stdout(`pulled ${pulled.reference} (${pulled.format}) into ${dir}\n`);
    for (const file of pulled.files) io.stdout(`  ${file.path}  ${formatBytes(file.size)}\n`);
  }
  return EXIT.ok;
}

function inspectText(image: InspectedImage): string {
  const lines = [
    `reference  ${image.reference}`,
    `digest     ${image.digest}`,
    `format     ${image.format === 'image' ? 'image (files under /data)' : 'ORAS artifact (files by title)'}`,
    `size       ${formatBytes(image.size)}`,
    ...(image.index !== undefined ? [`index      ${image.index}`] : []),
    'annotations',
    ...Object.entries(image.annotations).map(([k, v]) => `  ${k}=${v}`),
    'layers',
    ...image.layers.map(
      (l) =>
        `  ${l.digest}  ${l.mediaType}  ${formatBytes(l.size)}${l.title !== undefined ? `  ${l.title}` : ''}`,
    ),
  ];
  if (image.files !== undefined) {
    lines.push('files');
    const width = Math.max(0, ...image.files.map((f) => f.path.length));
    lines.push(...image.files.map((f) => `  ${f.path.padEnd(width)}  ${formatBytes(f.size)}`));
  }
  return lines.join('\n') + '\n';
}

async function inspect(
  positionals: string[],
  values: Values,
  client: RegistryClient,
  io: CliIO,
): Promise<number> {
  const [image] = positionals;
  if (image === undefined || positionals.length > 1) throw new UsageError('adapter inspect takes IMAGE');
  const inspected = await inspectAdapter(client, parseReference(image), {
    files: !(values['no-files'] ?? false),
  });
  io.stdout(
    outputFormat(values.output) === 'json'
      ? JSON.stringify(inspected, null, 2) + '\n'
      : inspectText(inspected),
  );
  return EXIT.ok;
}

const subcommands = { push, pull, inspect } as const;

export const adapter: Command = {
  name: 'adapter',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseFlags(args, flags, true);
    const [sub, ...rest] = positionals;
    const run = sub === undefined ? undefined : subcommands[sub as keyof typeof subcommands];
    if (run === undefined)
      throw new UsageError(`adapter needs push, pull or inspect${sub ? `, not "${sub}"` : ''}`);
    outputFormat(values.output);
    const paths = registryConfigPaths(values, io);
    const credentials: CredentialSource =
      paths.length > 0 ? await DockerConfigCredentials.read(paths) : ANONYMOUS;
    const client = new RegistryClient({
      credentials,
      plainHttp: values['plain-http'] ?? false,
      onRetry: (e) =>
        io.stderr(
          `retrying ${e.operation} in ${(e.delayMs / 1000).toFixed(1)} s (try ${e.attempt + 1}): ${e.reason}\n`,
        ),
    });
    try {
      return await run(rest, values, client, io);
    } finally {
      client.close();
    }
  },
};
