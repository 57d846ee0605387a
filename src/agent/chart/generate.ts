/**
 * Writes the chart files (part of `npm run generate`). Reads package.json's version for the chart and
 * image tag, then writes what `chartFiles` computed; files that are already up to date are left alone.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { chartFiles } from './chart-files.ts';

export async function writeChart(root: string): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  const written: string[] = [];
  for (const file of chartFiles(pkg.version)) {
    const target = join(root, file.path);
    const current = await readFile(target, 'utf8').catch(() => undefined);
    if (current === file.content) continue;
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
    written.push(file.path);
  }
  return written;
}
