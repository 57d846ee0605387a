#!/usr/bin/env node
// @ts-check
/**
 * The `kaito-gitops` executable. Plain JavaScript on purpose, and the only such file: Node strips
 * TypeScript types only after loading its TypeScript support, which costs more than the rest of
 * `--help`. This file turns on Node's module compile cache first (NODE_COMPILE_CACHE, else the OS
 * temp directory; skipped silently where it cannot be written), so from the second run on every
 * module, main.ts included, comes type-stripped and compiled from the cache.
 */
import { enableCompileCache } from 'node:module';
import process from 'node:process';

enableCompileCache();
const { exitWhenFlushed, runProcess } = await import('../src/cli/main.ts');
await runProcess(process.argv.slice(2));
await exitWhenFlushed();
