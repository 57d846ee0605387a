/**
 * What the terminal allows, decided once at the edge: a progress line only where stderr is a TTY,
 * colours only where stdout is a TTY and never with `NO_COLOR` (https://no-color.org) or `TERM=dumb`.
 * Piped output and tests get neither, and plain text that is the same bytes every time.
 */
import { styleText } from 'node:util';

export interface Terminal {
  /** The TTY behind stderr, where progress lines are drawn; undefined when stderr is not one. */
  progress?: NodeJS.WriteStream;
  /** Colour on stdout. */
  color: boolean;
  /** Rows of the terminal showing stdout: "a screenful". Undefined when stdout is not a TTY. */
  rows?: number;
}

/** Lines of output past which long lists are cut to a summary when stdout is not a terminal. */
export const DEFAULT_SCREENFUL = 40;

export function terminalOf(
  stdout: NodeJS.WriteStream,
  stderr: NodeJS.WriteStream,
  env: Readonly<Record<string, string | undefined>>,
): Terminal | undefined {
  const dumb = env['TERM'] === 'dumb';
  const color = stdout.isTTY && !dumb && (env['NO_COLOR'] ?? '') === '';
  const progress = stderr.isTTY && !dumb ? stderr : undefined;
  if (!stdout.isTTY && progress === undefined) return undefined;
  return {
    color,
    ...(progress !== undefined ? { progress } : {}),
    ...(stdout.isTTY ? { rows: stdout.rows } : {}),
  };
}

export type Style = 'green' | 'yellow' | 'red' | 'bold' | 'dim' | 'cyan';

/** `paint(style, text)`: ANSI styles when the terminal allows colour, the text unchanged otherwise. */
export function painter(terminal: Terminal | undefined): (style: Style, text: string) => string {
  if (terminal?.color !== true) return (_style, text) => text;
  return (style, text) => styleText(style, text, { validateStream: false });
}
