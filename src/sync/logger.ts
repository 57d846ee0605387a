/** Structured logs: one JSON object per line, every string passed through the redactor first. */
import type { Redactor } from './credentials.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(
  write: (line: string) => void,
  redactor: Redactor,
  now: () => Date = () => new Date(),
): Logger {
  return {
    log(level, message, fields = {}) {
      const line = JSON.stringify({ time: now().toISOString(), level, msg: message, ...fields });
      write(redactor.redact(line) + '\n');
    },
  };
}

export const silentLogger: Logger = { log: () => undefined };
