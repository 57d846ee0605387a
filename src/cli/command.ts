/**
 * The contract every CLI command follows: one file per command exporting a {@link Command}. Commands
 * get their I/O and environment passed in (no `process` globals), turn flags into a typed config once,
 * and return the exit code: 0 success, 1 invalid input, 2 usage error (thrown as UsageError),
 * 3 an outside system failed (EnvironmentError and the other KaitoGitopsErrors), 130 stopped by a
 * signal before finishing (InterruptedError). Each command's one-line summary lives in main.ts's list.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from '../api/index.ts';
import { InterruptedError, UsageError } from '../errors.ts';
import type { Terminal } from './terminal.ts';

export { EXIT } from './exit-codes.ts';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The process environment, read only here at the edge. */
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands exit then. */
  stopped: Promise<void>;
  /** Set when stdout or stderr is a terminal: colours, a progress line, the screen's height. */
  terminal?: Terminal;
  /** Where parsed inputs that are slow to parse (the catalog) may be cached; unset: no cache. */
  cacheDir?: string;
}

export interface Command {
  name: string;
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/**
 * For commands that finish on their own: `check()` throws an InterruptedError once SIGINT or SIGTERM
 * arrived. Call it between steps and right before writing, so a signal stops the command promptly and
 * never between two writes of one result.
 */
export function stopSignal(io: CliIO): { check(): void } {
  let stopped = false;
  void io.stopped.then(() => {
    stopped = true;
  });
  return {
    check() {
      if (stopped) throw new InterruptedError('stopped by a signal; nothing was written');
    },
  };
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs in strict mode, with its errors turned into UsageErrors; an unknown flag
 * names the closest known one (`--worksapces`: did you mean --workspaces?).
 */
export function parseFlags<const O extends Options>(args: string[], options: O, allowPositionals = false) {
  const known = Object.keys(options);
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option' || known.includes(token.name)) continue;
    if (token.rawName.length === 2 && Object.values(options).some((o) => o.short === token.name)) continue;
    const guess = closest(token.name, known);
    const hint = guess !== undefined ? `; did you mean --${guess}?` : '; run with --help for the flags';
    throw new UsageError(`unknown flag ${token.rawName}${hint}`);
  }
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** `--output text|json`, shared by every command that a machine may read. */
export const outputFlag = { output: { type: 'string', short: 'o', default: 'text' } } as const;

/** `--verbose`: every row of a long result, not just a summary and what changed or failed. */
export const verboseFlag = { verbose: { type: 'boolean', default: false } } as const;

export function outputFormat(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text' || value === 'json') return value ?? 'text';
  throw new UsageError(`--output must be "text" or "json", not "${value}"`);
}
