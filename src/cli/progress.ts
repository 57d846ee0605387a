/**
 * The one progress line of the CLI, drawn with cli-progress on stderr while long work runs (synth,
 * validate, plan, adapter pushes and pulls): `label [=====-----] 412/1000 detail`. Only on a terminal:
 * with stderr piped, in a pod or in tests `startProgress` returns a Progress that does nothing, so
 * output stays the same bytes. The line is cleared when the work stops, before the command prints its
 * result.
 *
 * Every command that shows progress goes through this file, so there is one look and one library.
 */
import { SingleBar } from 'cli-progress';
import type { CliIO } from './command.ts';

export interface Progress {
  /** How much is done, optionally how much there is (when it is learnt late) and a short detail. */
  update(done: number, options?: { total?: number; detail?: string }): void;
  /** Clears the line; call before printing anything else. Safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  /** @default 0 (set later through update) */
  total?: number;
  /** `bytes` shows sizes (1.5 MiB) instead of counts. @default "items" */
  unit?: 'items' | 'bytes';
  /** Work smaller than this draws nothing (a small transfer is done before a line would help). @default 0 */
  minTotal?: number;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

export function startProgress(io: CliIO, label: string, options: ProgressOptions = {}): Progress {
  const stream = io.terminal?.progress;
  if (stream === undefined) return silent;
  const bytes = options.unit === 'bytes';
  let total = options.total ?? 0;
  let bar: SingleBar | undefined;
  let stopped = false;
  const draw = (): SingleBar => {
    const created = new SingleBar({
      stream,
      format: `${label} {bar} {value}/{total} {detail}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      stopOnComplete: false,
      fps: 10,
      formatValue: (value, _options, type) =>
        bytes && (type === 'value' || type === 'total') ? formatBytes(value) : String(value),
    });
    created.start(total, 0, { detail: '' });
    return created;
  };
  // Drawn from the first update on (or at once when the total is known and large enough).
  if (total > 0 && total >= (options.minTotal ?? 0)) bar = draw();
  return {
    update(done, more = {}) {
      if (stopped) return;
      if (more.total !== undefined) total = more.total;
      if (bar === undefined) {
        if (total < (options.minTotal ?? 0)) return;
        bar = draw();
      }
      if (more.total !== undefined) bar.setTotal(more.total);
      bar.update(done, { detail: more.detail ?? '' });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar?.stop();
    },
  };
}

/** `1.5 MiB`: sizes in the CLI's output and progress lines. */
export function formatBytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let size = value;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return unit === 0 ? `${size} B` : `${size.toFixed(1)} ${units[unit]}`;
}
