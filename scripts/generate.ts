/**
 * `npm run generate`: rewrites every generated file that is committed and reviewed — the CRD and the
 * editor JSON Schema (src/api's schema), the Helm chart, its plain manifests and the example Flux and
 * Argo CD bootstrap (src/install), and the golden trees of the bundled examples (tests/golden). Read
 * the diff before committing it: the tests compare these files with what the code produces now.
 */
import { join } from 'node:path';
import { generatedFiles } from '../src/api/index.ts';
import { installFiles, writeFiles } from '../src/install/index.ts';
import { writeGoldenTrees } from '../tests/golden/update.ts';

const root = join(import.meta.dirname, '..');

const written = await writeFiles(root, [...generatedFiles(), ...installFiles()]);
process.stdout.write(
  written.length === 0 ? 'generated files: up to date\n' : `wrote ${written.join(', ')}\n`,
);
for (const line of await writeGoldenTrees(root)) process.stdout.write(`${line}\n`);
