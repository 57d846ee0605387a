/**
 * The contract every CLI command follows: one file per command exporting a {@link Command}. Commands
 * get their I/O and environment passed in (no `process` globals), turn flags into a typed config once,
 * and return the exit code: 0 success, 1 invalid input, 2 usage error (thrown as UsageError),
 * 3 an outside system failed (EnvironmentError and the other KaitoGitopsErrors), 130 stopped by a
 * signal before finishing (InterruptedError).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InterruptedError, UsageError } from '../errors.ts';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The process environment, read only here at the edge. */
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands exit then. */
  stopped: Promise<void>;
  /** stderr when it is a terminal: where long transfers draw progress. Absent in logs and pods. */
  terminal?: NodeJS.WriteStream;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** 130 is the shell's code for a command ended by SIGINT; kaito-gitops uses it for SIGTERM too. */
export const EXIT = { ok: 0, invalid: 1, usage: 2, remote: 3, interrupted: 130 } as const;

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

/** `node:util` parseArgs in strict mode, with its errors turned into UsageErrors. */
export function parseFlags<const O extends Options>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** `--output text|json`, shared by every command that a machine may read. */
export const outputFlag = { output: { type: 'string', short: 'o', default: 'text' } } as const;

export function outputFormat(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text' || value === 'json') return value ?? 'text';
  throw new UsageError(`--output must be "text" or "json", not "${value}"`);
}
