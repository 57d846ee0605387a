#!/usr/bin/env node
/**
 * `kaito-gitops <command>`: the only place that touches `process`. It builds the CliIO, dispatches to
 * one command file, and maps the error taxonomy to exit codes and messages (no stack trace for a
 * user's mistake).
 *
 * Start-up is part of the interface: the list of commands below carries each summary, so `--help`,
 * `--version` and `help` load no command (and none of their SDKs), and a command is imported only
 * when it runs. `runProcess` turns on Node's module compile cache before any command is imported.
 */
import { enableCompileCache, getCompileCacheDir } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import {
  InterruptedError,
  KaitoGitopsError,
  SpecError,
  UsageError,
  isSystemError,
  systemErrorText,
} from '../errors.ts';
import type { CliIO, Command } from './command.ts';
import { EXIT } from './exit-codes.ts';
import { terminalOf } from './terminal.ts';

interface Entry {
  /** One line for `kaito-gitops --help`. */
  summary: string;
  load(): Promise<Command>;
}

/** Every command, in the order `--help` lists them. */
const commands: Record<string, Entry> = {
  adapter: {
    summary: 'Push, pull and inspect LoRA adapter images (Kaito adapter image format)',
    load: async () => (await import('./adapter.ts')).adapter,
  },
  agent: {
    summary: 'Run the in-cluster agent: GPU nodes, Workspace status, leader election',
    load: async () => (await import('./agent.ts')).agent,
  },
  demo: {
    summary: 'Run the GitOps loop locally: source and deploy repositories over HTTP, one sync pass',
    load: async () => (await import('./demo.ts')).demo,
  },
  import: {
    summary: 'Write the Workspaces of a running cluster (Kaito or kaito-gitops) as spec files for git',
    load: async () => (await import('./import.ts')).importCommand,
  },
  init: {
    summary: 'Write the Flux or Argo CD bootstrap (and the sync server) for a deploy branch',
    load: async () => (await import('./init.ts')).init,
  },
  plan: {
    summary: 'Show the SKU, nodes, GPUs, runtime, parallelism, image and disk each Workspace gets',
    load: async () => (await import('./plan.ts')).plan,
  },
  presets: {
    summary: 'List the model presets (or GPU SKUs with prices) that plans are sized against',
    load: async () => (await import('./presets.ts')).presets,
  },
  report: {
    summary: 'Plan comment and commit status for a pull request (report plan)',
    load: async () => (await import('./report.ts')).report,
  },
  sync: {
    summary: 'Render the source repository\u2019s Workspace specs and commit the tree to a deploy branch',
    load: async () => (await import('./sync.ts')).sync,
  },
  synth: {
    summary: 'Validate, size and render Workspace specs into a byte-stable Kustomize tree',
    load: async () => (await import('./synth.ts')).synth,
  },
  validate: {
    summary: "Check Workspace specs against Kaito's rules and the catalog; print every problem",
    load: async () => (await import('./validate.ts')).validate,
  },
};

const names = Object.keys(commands);

function help(): string {
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: kaito-gitops <command> [flags]',
    '',
    'commands:',
    ...names.map((name) => `  ${name.padEnd(width)}  ${commands[name]?.summary ?? ''}`),
    '',
    'flags: --help, --version; most commands take --output json and --verbose.',
    'Run `kaito-gitops help <command>` (or `<command> --help`) for the flags of one command.',
  ].join('\n');
}

/** The version in package.json, read when asked (never at start-up). */
export function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

async function commandHelp(entry: Entry): Promise<string> {
  const command = await entry.load();
  return `${entry.summary}\n\n${command.usage}\n`;
}

async function unknownCommand(name: string, io: CliIO): Promise<number> {
  const { closest } = await import('../api/index.ts');
  const guess = closest(name, names);
  const hint = guess === undefined ? '' : `; did you mean "${guess}"?`;
  io.stderr(`kaito-gitops: unknown command "${name}"${hint}\n\n${help()}\n`);
  return EXIT.usage;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(help() + '\n');
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`kaito-gitops ${version()}\n`);
    return EXIT.ok;
  }
  if (name === 'help') {
    const [topic, ...extra] = rest;
    if (topic === undefined) {
      io.stdout(help() + '\n');
      return EXIT.ok;
    }
    const entry = commands[topic];
    if (entry === undefined || extra.length > 0) return unknownCommand(rest.join(' '), io);
    io.stdout(await commandHelp(entry));
    return EXIT.ok;
  }
  const entry = commands[name];
  if (entry === undefined) return unknownCommand(name, io);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(await commandHelp(entry));
    return EXIT.ok;
  }
  const command = await entry.load();
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`kaito-gitops ${name}: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof SpecError) {
      io.stderr(error.message + '\n');
      return EXIT.invalid;
    }
    if (error instanceof InterruptedError) {
      io.stderr(`kaito-gitops ${name}: ${error.message}\n`);
      return EXIT.interrupted;
    }
    if (error instanceof KaitoGitopsError) {
      io.stderr(`kaito-gitops ${name}: ${error.message}\n`);
      return EXIT.remote;
    }
    // The operating system refused something the command did not wrap in an EnvironmentError: still an
    // outside failure, told in one line.
    if (isSystemError(error)) {
      const where = error.path ?? '';
      io.stderr(`kaito-gitops ${name}: ${where === '' ? '' : `${where}: `}${systemErrorText(error)}\n`);
      return EXIT.remote;
    }
    throw error;
  }
}

/**
 * The first SIGINT or SIGTERM resolves `stopped` (commands stop at their next safe point); a second one
 * ends the process at once, as a second Ctrl-C does elsewhere.
 */
function processIO(teeStderr?: (text: string) => void): CliIO {
  const stopped = new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = () => {
      signals++;
      if (signals > 1) process.exit(EXIT.interrupted);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const terminal = terminalOf(process.stdout, process.stderr, process.env);
  // Beside Node's compile cache, and only when it is on: one switch (NODE_DISABLE_COMPILE_CACHE) for both.
  const compileCache = getCompileCacheDir();
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => {
      teeStderr?.(text);
      process.stderr.write(text);
    },
    env: process.env,
    cwd: process.cwd(),
    stopped,
    ...(terminal !== undefined ? { terminal } : {}),
    ...(compileCache !== undefined ? { cacheDir: join(dirname(compileCache), 'kaito-gitops') } : {}),
  };
}

/**
 * Runs one command in this process and sets its exit code; 70 for a bug in kaito-gitops itself.
 * `teeStderr` also receives what the command writes to stderr (the cdk8s route records refusals so).
 */
export async function runProcess(argv: string[], teeStderr?: (text: string) => void): Promise<void> {
  // Compiled (and type-stripped) modules are cached on disk (NODE_COMPILE_CACHE, else the OS temp
  // directory): the second start of any command skips parsing its modules. A cache that cannot be
  // written (a read-only file system) is skipped by Node without an error.
  enableCompileCache();
  try {
    process.exitCode = await main(argv, processIO(teeStderr));
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`kaito-gitops: internal error: ${detail}\n`);
    process.exitCode = 70;
  }
}

/**
 * Ends the process once the command is done: idle keep-alive connections (fetch's pool) must not hold
 * it open. A pipe to a slow reader can still hold output (a 5,000-row table), so stdout and stderr are
 * flushed first; exiting at once would cut it short.
 */
export async function exitWhenFlushed(): Promise<void> {
  await Promise.all(
    [process.stdout, process.stderr].map(
      (stream) => new Promise<void>((resolve) => stream.write('', () => resolve())),
    ),
  );
  process.exit();
}

if (import.meta.main) {
  await runProcess(process.argv.slice(2));
  await exitWhenFlushed();
}
