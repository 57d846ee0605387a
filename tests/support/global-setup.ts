/**
 * Runs once before any test file (vitest `globalSetup`): installs the Debian packages the suite needs
 * when they are missing, so that test files running in parallel never start two apt-get runs.
 */
import { ensureDebianTools } from './debian-package.ts';

export default async function setup(): Promise<void> {
  await ensureDebianTools();
}
