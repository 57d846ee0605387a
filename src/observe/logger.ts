/**
 * The one logger of the long-running processes (agent, sync server) and the CLI: structured logs, one
 * JSON object per line (`time`, `level`, `msg`, then the fields), every line passed through a redactor
 * first when one is given.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** Removes secrets from a finished line (sync's Redactor is one). */
export interface LineRedactor {
  redact(text: string): string;
}

export function jsonLogger(
  write: (line: string) => void,
  redactor?: LineRedactor,
  now: () => Date = () => new Date(),
): Logger {
  return {
    log(level, message, fields = {}) {
      const line = JSON.stringify({ time: now().toISOString(), level, msg: message, ...fields });
      write((redactor === undefined ? line : redactor.redact(line)) + '\n');
    },
  };
}

export const silentLogger: Logger = { log: () => undefined };

/** An error as a log field: its message (the stack is for bugs, and bugs are logged by the CLI). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
