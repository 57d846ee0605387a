/**
 * Preloaded (`node --import`) into benchmarked processes: on exit, writes the process's peak RSS in KiB
 * (`process.resourceUsage().maxRSS`, the kernel's high-water mark) to file descriptor 3.
 */
import { writeSync } from 'node:fs';

process.on('exit', () => {
  try {
    writeSync(3, String(process.resourceUsage().maxRSS));
  } catch {
    // Not started by the benchmark (no fd 3): nothing to report.
  }
});
