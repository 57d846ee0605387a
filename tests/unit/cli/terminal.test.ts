import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { painter, terminalOf } from '../../../src/cli/terminal.ts';
import { startProgress } from '../../../src/cli/progress.ts';
import type { CliIO } from '../../../src/cli/command.ts';

/** A stream that says it is a terminal and keeps what is written to it. */
function fakeTty(isTTY: boolean, rows = 30): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(stream, { isTTY, rows, columns: 100, text: () => chunks.join('') });
  return stream;
}

describe('what the terminal allows', () => {
  it.each([
    ['both terminals', true, true, {}, { color: true, progress: true, rows: 30 }],
    ['NO_COLOR set', true, true, { NO_COLOR: '1' }, { color: false, progress: true, rows: 30 }],
    [
      'NO_COLOR empty (unset, per no-color.org)',
      true,
      true,
      { NO_COLOR: '' },
      { color: true, progress: true, rows: 30 },
    ],
    ['TERM=dumb', true, true, { TERM: 'dumb' }, { color: false, progress: false, rows: 30 }],
    ['stdout piped', false, true, {}, { color: false, progress: true, rows: undefined }],
    ['stderr piped', true, false, {}, { color: true, progress: false, rows: 30 }],
  ])('%s', (_name, stdoutTty, stderrTty, env, expected) => {
    const terminal = terminalOf(fakeTty(stdoutTty), fakeTty(stderrTty), env);
    expect({
      color: terminal?.color,
      progress: terminal?.progress !== undefined,
      rows: terminal?.rows,
    }).toEqual(expected);
  });

  it('is nothing at all when neither stream is a terminal', () => {
    expect(terminalOf(fakeTty(false), fakeTty(false), {})).toBeUndefined();
  });

  it('paints only when colour is allowed', () => {
    expect(painter({ color: true })('green', 'ok')).toBe('\u001b[32mok\u001b[39m');
    expect(painter({ color: false })('green', 'ok')).toBe('ok');
    expect(painter(undefined)('red', 'kept')).toBe('kept');
  });
});

describe('the progress line', () => {
  const io = (terminal?: CliIO['terminal']): CliIO => ({
    stdout: () => undefined,
    stderr: () => undefined,
    env: {},
    cwd: '/',
    stopped: new Promise(() => {}),
    ...(terminal !== undefined ? { terminal } : {}),
  });

  it('draws on the terminal behind stderr and clears itself when stopped', () => {
    const stream = fakeTty(true);
    const progress = startProgress(io({ color: false, progress: stream }), 'synth', { total: 10 });
    progress.update(4, { detail: 'planning' });
    progress.stop();
    progress.stop();
    const text = stream.text();
    expect(text).toMatch(/synth .*0\/10/);
    expect(text).toContain('\u001b[2K'); // the line is cleared on stop
  });

  it('shows sizes for bytes', () => {
    const stream = fakeTty(true);
    const progress = startProgress(io({ color: false, progress: stream }), 'push', {
      total: 3 * 1024 * 1024,
      unit: 'bytes',
    });
    progress.stop();
    expect(stream.text()).toContain('0 B/3.0 MiB');
  });

  it('does nothing without a terminal', () => {
    const progress = startProgress(io(), 'synth', { total: 10 });
    expect(() => {
      progress.update(5);
      progress.stop();
    }).not.toThrow();
  });
});
