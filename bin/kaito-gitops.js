#!/usr/bin/env node
// @ts-check
/**
 * The `kaito-gitops` executable. Plain JavaScript on purpose, and the only such file: Node strips
 * TypeScript types only after loading its TypeScript support, which costs more than the rest of
 * `--help`. This file turns on Node's module compile cache first (NODE_COMPILE_CACHE, else the OS
 * temp directory; skipped silently where it cannot be written), so from the second run on every
 * module, main.ts included, comes type-stripped and compiled from the cache.
 */
import module from 'node:module';
import process from 'node:process';

// Checked here rather than through package.json `engines`: npm checks those against the Node npm itself
// runs on, and warns on every `npx kaito-gitops` where that is the system's older Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `kaito-gitops: needs Node 24 or later, not ${process.version}: run it with npx kaito-gitops or npm run ` +
      'in the project (its node devDependency brings Node 24), or install Node 24\n',
  );
  process.exit(3);
}
module.enableCompileCache();
const { exitWhenFlushed, runProcess } = await import('../src/cli/main.ts');
await runProcess(process.argv.slice(2));
await exitWhenFlushed();
