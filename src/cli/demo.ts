/**
 * `kaito-gitops demo` (`npm start`): the whole GitOps loop on one machine. It creates a source and a
 * deploy repository on local disk, serves them over smart HTTP (git http-backend, basic auth), pushes
 * the bundled example specs, runs one sync pass and prints the deploy commit and its tree. The same
 * engine, git client and server code run as in production; only the remote is local.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import git from 'isomorphic-git';
import * as fs from 'node:fs';
import { UsageError, formatProblem, isSystemError } from '../errors.ts';
import { hydrate } from '../pipeline.ts';
import {
  GitMirror,
  Redactor,
  SyncEngine,
  directoryOf,
  startGitHttpServer,
  type SyncResult,
} from '../sync/index.ts';
import { jsonLogger, silentLogger } from '../observe/index.ts';
import {
  EXIT,
  outputFlag,
  outputFormat,
  parseFlags,
  stopSignal,
  type CliIO,
  type Command,
} from './command.ts';
import { catalogFlags, cloudFlag, loadCatalog } from './inputs.ts';
import { compareStrings } from '../api/index.ts';

const EXAMPLES = fileURLToPath(new URL('../../gitops/workspaces', import.meta.url));
const SOURCE_PATH = 'gitops/workspaces';
const TARGET_PATH = 'clusters/demo';

const usage = `usage: kaito-gitops demo [--workspaces DIR] [--dir DIR] [--output text|json]

  --workspaces DIR  specs to push to the source repository (default: the bundled gitops/workspaces)
  --dir DIR         where the repositories are created and kept (default: a temporary directory, removed after)
  --presets DIR, --cloud NAME   catalog, as for synth
  -o, --output      text (default) or json`;

export const demo: Command = {
  name: 'demo',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseFlags(args, {
      workspaces: { type: 'string' },
      dir: { type: 'string' },
      ...catalogFlags,
      ...outputFlag,
    });
    const output = outputFormat(values.output);
    const specs = values.workspaces === undefined ? EXAMPLES : resolve(io.cwd, values.workspaces);
    const files = await readSpecs(specs).catch((error: unknown) => {
      throw new UsageError(`--workspaces ${values.workspaces ?? specs}: ${(error as Error).message}`, {
        cause: error,
      });
    });
    const keep = values.dir !== undefined;
    if (keep && !isEmptyOrMissing(resolve(io.cwd, values.dir ?? ''))) {
      throw new UsageError(
        `--dir ${values.dir} is not empty: the demo creates fresh repositories there; name a new or empty directory`,
      );
    }
    const stop = stopSignal(io);
    const root = keep
      ? resolve(io.cwd, values.dir ?? '')
      : await mkdtemp(join(tmpdir(), 'kaito-gitops-demo-'));
    const password = randomBytes(12).toString('hex');
    const redactor = new Redactor([password]);
    // Text output is for a person: the result says it all. JSON output keeps the log lines on stderr.
    const logger = output === 'json' ? jsonLogger((line) => io.stderr(line), redactor) : silentLogger;
    const repos = join(root, 'repos');
    await mkdir(repos, { recursive: true });
    for (const name of ['models.git', 'deploy.git']) {
      await git.init({ fs, gitdir: join(repos, name), bare: true, defaultBranch: 'main' });
    }
    const server = await startGitHttpServer({ root: repos, users: { demo: password } });
    try {
      const credentials = () => Promise.resolve({ username: 'demo', password });
      const sourceUrl = `${server.url}/models.git`;
      stop.check();
      const sourceCommit = await pushSpecs(join(root, 'author'), sourceUrl, files, credentials);
      stop.check();
      const engine = new SyncEngine(
        {
          source: { url: sourceUrl, ref: 'main', path: SOURCE_PATH },
          target: { url: `${server.url}/deploy.git`, branch: 'deploy', path: TARGET_PATH },
          cacheDir: join(root, 'cache'),
          cloud: cloudFlag(values.cloud),
        },
        {
          render: hydrate,
          catalog: await loadCatalog(values.presets, io),
          credentials: { source: credentials, target: credentials },
          redactor,
          logger,
        },
      );
      const result = await engine.sync();
      const deployTree = await listTree(
        join(root, 'cache'),
        `${server.url}/deploy.git`,
        result.deployCommit,
        credentials,
      );
      if (output === 'json') {
        io.stdout(
          JSON.stringify(
            { ...result, sourceCommit, tree: deployTree, directory: keep ? root : undefined },
            null,
            2,
          ) + '\n',
        );
      } else {
        io.stdout(report(result, deployTree, keep ? root : undefined));
      }
      return result.errors.length > 0 ? EXIT.invalid : EXIT.ok;
    } finally {
      await server.close();
      if (!keep) await rm(root, { recursive: true, force: true });
    }
  },
};

function isEmptyOrMissing(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch (error) {
    if (isSystemError(error) && error.code === 'ENOENT') return true;
    throw error;
  }
}

async function readSpecs(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.ya?ml$/i.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const rel = relative(dir, path).split(sep).join('/');
    if (rel.split('/').some((part) => part.startsWith('.'))) continue;
    files.set(`${SOURCE_PATH}/${rel}`, await readFile(path, 'utf8'));
  }
  if (files.size === 0) throw new Error('no .yaml files');
  return new Map([...files].sort(([a], [b]) => compareStrings(a, b)));
}

/** Commits the specs as the first commit of `main` and pushes it, with isomorphic-git like sync itself. */
async function pushSpecs(
  cacheDir: string,
  url: string,
  files: ReadonlyMap<string, string>,
  credentials: () => Promise<{ username: string; password: string }>,
): Promise<string> {
  const mirror = await GitMirror.open(cacheDir, url, credentials);
  const tree = directoryOf(
    new Map([...files, ['README.md', '# models\n\nWorkspace specs, synced by kaito-gitops.\n']]),
  );
  await mirror.writeDirectory(tree, undefined);
  const commit = await mirror.commit({
    tree: tree.oid,
    parent: undefined,
    message: 'Add the example Workspaces\n',
    author: { name: 'demo', email: 'demo@example.com' },
    now: new Date(),
  });
  const pushed = await mirror.push('main', commit);
  if (!pushed.ok) throw new Error(`could not push the example specs: ${pushed.detail}`);
  return commit;
}

async function listTree(
  cacheDir: string,
  url: string,
  commit: string,
  credentials: () => Promise<{ username: string; password: string }>,
): Promise<{ path: string; bytes: number }[]> {
  const mirror = await GitMirror.open(join(cacheDir, 'target'), url, credentials);
  const oid = await mirror.treeAt(commit, TARGET_PATH);
  if (oid === undefined) return [];
  return [...(await mirror.readFiles(oid))].map(([path, file]) => ({
    path: `${TARGET_PATH}/${path}`,
    bytes: Buffer.byteLength(file.text),
  }));
}

function report(
  result: SyncResult,
  tree: { path: string; bytes: number }[],
  kept: string | undefined,
): string {
  const lines = [
    `source commit  ${result.sourceCommit}  (main:${SOURCE_PATH})`,
    `deploy commit  ${result.deployCommit}  (deploy:${TARGET_PATH}, ${result.outcome})`,
    `workspaces     ${result.workspaceCount} (${result.changed} changed, ${result.errors.length} refused)`,
    '',
    ...result.workspaces.map((ws) => `  ${ws.status.padEnd(9)} ${ws.namespace}/${ws.name}  <- ${ws.file}`),
    '',
    'deploy tree:',
    ...tree.map((file) => `  ${file.path}  (${file.bytes} bytes)`),
  ];
  for (const error of result.errors) {
    for (const problem of error.problems) lines.push(`refused: ${formatProblem(problem, error)}`);
  }
  if (kept !== undefined)
    lines.push('', `repositories kept in ${kept}/repos (git clone --branch deploy ${kept}/repos/deploy.git)`);
  return lines.join('\n') + '\n';
}
