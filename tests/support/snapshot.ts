/** Every file under a directory with its text, hidden files included: what "byte for byte" compares. */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** `[path relative to root, text]` for every file, sorted; [] when `root` does not exist. */
export async function snapshot(root: string): Promise<[string, string][]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return Promise.all(
    files
      .sort()
      .map(async (f): Promise<[string, string]> => [f.slice(root.length + 1), await readFile(f, 'utf8')]),
  );
}
