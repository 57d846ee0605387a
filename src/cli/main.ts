#!/usr/bin/env node
/**
 * `kaito-gitops <command>`: the only place that touches `process`. It builds the CliIO, dispatches to
 * one command file, and maps the error taxonomy to exit codes and messages (no stack trace for a
 * user's mistake).
 */
import {
  InterruptedError,
  KaitoGitopsError,
  SpecError,
  UsageError,
  isSystemError,
  systemErrorText,
} from '../errors.ts';
import { EXIT, type CliIO, type Command } from './command.ts';
import { compareStrings } from '../api/index.ts';

const commands: Record<string, () => Promise<Command>> = {
  synth: async () => (await import('./synth.ts')).synth,
  validate: async () => (await import('./validate.ts')).validate,
  plan: async () => (await import('./plan.ts')).plan,
  presets: async () => (await import('./presets.ts')).presets,
  sync: async () => (await import('./sync.ts')).sync,
  agent: async () => (await import('./agent.ts')).agent,
  init: async () => (await import('./init.ts')).init,
  demo: async () => (await import('./demo.ts')).demo,
  import: async () => (await import('./import.ts')).importCommand,
  report: async () => (await import('./report.ts')).report,
  adapter: async () => (await import('./adapter.ts')).adapter,
};

async function help(): Promise<string> {
  const entries = Object.entries(commands).sort(([a], [b]) => compareStrings(a, b));
  const names = entries.map(([name]) => name);
  const loaded = await Promise.all(entries.map(([, load]) => load()));
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: kaito-gitops <command> [flags]',
    '',
    'commands:',
    ...names.map((name, i) => `  ${name.padEnd(width)}  ${loaded[i]?.summary ?? ''}`),
    '',
    'Run `kaito-gitops <command> --help` for the flags of one command.',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout((await help()) + '\n');
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const load = commands[name];
  if (!load) {
    io.stderr(`kaito-gitops: unknown command "${name}"\n\n${await help()}\n`);
    return EXIT.usage;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.summary}\n\n${command.usage}\n`);
    return EXIT.ok;
  }
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
function processIO(): CliIO {
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
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stopped,
    ...(process.stderr.isTTY && { terminal: process.stderr }),
  };
}

/** Runs one command in this process and sets its exit code; 70 for a bug in kaito-gitops itself. */
export async function runProcess(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv, processIO());
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`kaito-gitops: internal error: ${detail}\n`);
    process.exitCode = 70;
  }
}

if (import.meta.main) {
  await runProcess(process.argv.slice(2));
  // The command is done: idle keep-alive connections (fetch's pool) must not hold the process open.
  // Writes to files, pipes and terminals are synchronous on Linux and macOS, so nothing is cut short.
  process.exit();
}
