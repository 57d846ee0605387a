/**
 * `kaito-gitops demo` (`npm start`): the whole GitOps loop on one machine. It creates a source and a
 * deploy repository on local disk, serves them over smart HTTP (git http-backend, basic auth), pushes
 * the bundled example specs, runs one sync pass and prints the deploy commit and its tree. The same
 * engine, git client and server code run as in production; only the remote is local.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
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
  verboseFlag,
  type CliIO,
  type Command,
} from './command.ts';
import { fitRows, hiddenLine } from './long-list.ts';
import { painter } from './terminal.ts';
import { catalogFlags, cloudFlag, loadCatalog } from './inputs.ts';
import { compareStrings } from '../api/index.ts';

const EXAMPLES = fileURLToPath(new URL('../../gitops/workspaces', import.meta.url));
const SOURCE_PATH = 'gitops/workspaces';
const TARGET_PATH = 'clusters/demo';
/** The demo's own directory under the OS temp directory, emptied at each run. */
const DEFAULT_DEMO_DIR = 'kaito-gitops-demo';

const usage = `usage: kaito-gitops demo [--workspaces DIR] [--dir DIR] [--output text|json]

  --workspaces DIR  specs to push to the source repository (default: the bundled gitops/workspaces)
  --dir DIR         where the repositories are created and kept (default: kaito-gitops-demo in the OS temp
                    directory, emptied first)
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
      ...verboseFlag,
    });
    const output = outputFormat(values.output);
    const specs = values.workspaces === undefined ? EXAMPLES : resolve(io.cwd, values.workspaces);
    const files = await readSpecs(specs).catch((error: unknown) => {
      throw new UsageError(`--workspaces ${values.workspaces ?? specs}: ${(error as Error).message}`, {
        cause: error,
      });
    });
    if (values.dir !== undefined && !isEmptyOrMissing(resolve(io.cwd, values.dir))) {
      throw new UsageError(
        `--dir ${values.dir} is not empty: the demo creates fresh repositories there; name a new or empty directory`,
      );
    }
    const stop = stopSignal(io);
    // The repositories are kept, so a person can clone and inspect what the demo pushed. The default
    // directory is the demo's own and starts empty each run.
    const root = values.dir !== undefined ? resolve(io.cwd, values.dir) : join(tmpdir(), DEFAULT_DEMO_DIR);
    if (values.dir === undefined) await rm(root, { recursive: true, force: true });
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
      const deployTree = await readDeployTree(
        join(root, 'cache'),
        `${server.url}/deploy.git`,
        result.deployCommit,
        credentials,
      );
      const tree = deployTree.map(({ path, text }) => ({ path, bytes: Buffer.byteLength(text) }));
      if (output === 'json') {
        const json = { ...result, sourceCommit, tree, directory: root, repositories: repositoriesOf(root) };
        io.stdout(JSON.stringify(json, null, 2) + '\n');
      } else {
        io.stdout(report(result, deployTree, root, { verbose: values.verbose, io }));
      }
      return result.errors.length > 0 ? EXIT.invalid : EXIT.ok;
    } finally {
      await server.close();
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
  const pushed = await mirror.push('main', commit, undefined);
  if (!pushed.ok) throw new Error(`could not push the example specs: ${pushed.detail}`);
  return commit;
}

async function readDeployTree(
  cacheDir: string,
  url: string,
  commit: string,
  credentials: () => Promise<{ username: string; password: string }>,
): Promise<{ path: string; text: string }[]> {
  const mirror = await GitMirror.open(join(cacheDir, 'target'), url, credentials);
  const oid = await mirror.treeAt(commit, TARGET_PATH);
  if (oid === undefined) return [];
  return [...(await mirror.readFiles(oid))].map(([path, file]) => ({
    path: `${TARGET_PATH}/${path}`,
    text: file.text,
  }));
}

function repositoriesOf(root: string): { source: string; deploy: string } {
  return { source: join(root, 'repos', 'models.git'), deploy: join(root, 'repos', 'deploy.git') };
}

/** The manifest shown as an example: the first rendered workspace's Deployment, else its first file. */
function exampleManifest(
  tree: readonly { path: string; text: string }[],
): { path: string; text: string } | undefined {
  const objects = tree.filter(
    (file) => file.path.includes('/workspaces/') && !file.path.endsWith('/kustomization.yaml'),
  );
  return objects.find((file) => /\/deployment-[^/]+\.yaml$/.test(file.path)) ?? objects[0];
}

function report(
  result: SyncResult,
  tree: readonly { path: string; text: string }[],
  root: string,
  options: { verbose: boolean; io: CliIO },
): string {
  const paint = painter(options.io.terminal);
  const { source, deploy } = repositoriesOf(root);
  const fitted = fitRows(tree, () => false, options);
  const example = exampleManifest(tree);
  const lines = [
    `source commit  ${result.sourceCommit}  (main:${SOURCE_PATH} in ${source})`,
    `deploy commit  ${result.deployCommit}  (deploy:${TARGET_PATH} in ${deploy}, ${result.outcome})`,
    `workspaces     ${result.workspaceCount} (${result.changed} changed, ${result.errors.length} refused)`,
    '',
    ...result.workspaces.map(
      (ws) =>
        `  ${paint(ws.status === 'kept' || ws.status === 'refused' ? 'red' : 'green', ws.status.padEnd(9))} ${ws.namespace}/${ws.name}  <- ${ws.file}`,
    ),
    '',
    `deploy tree (${tree.length} files):`,
    ...fitted.shown.map((file) => `  ${file.path}  (${Buffer.byteLength(file.text)} bytes)`),
    ...(fitted.hidden > 0 ? [`  ${hiddenLine(fitted.hidden, 'files')}`] : []),
  ];
  for (const error of result.errors) {
    for (const problem of error.problems) lines.push(`refused: ${formatProblem(problem, error)}`);
  }
  if (example !== undefined) {
    lines.push('', paint('bold', `one rendered manifest, ${example.path}:`), '');
    lines.push(
      ...example.text
        .trimEnd()
        .split('\n')
        .map((line) => `  ${line}`),
    );
  }
  const checkout = join(root, 'checkout');
  const next: [command: string, why: string][] = [
    [`git clone --branch deploy ${deploy} ${checkout}`, 'the deploy branch the demo pushed'],
    [`kubectl kustomize ${join(checkout, TARGET_PATH)}`, 'what Flux or Argo CD would apply'],
    ['npx kaito-gitops validate gitops/workspaces', 'every problem, with file and field'],
    ['npx kaito-gitops plan gitops/workspaces/llama-3.3-70b.yaml', 'how a Workspace is sized, and why'],
    ['npx kaito-gitops synth --workspaces gitops/workspaces --out dist', 'the same tree, on disk'],
    ['npx kaito-gitops help', 'every command'],
  ];
  const width = Math.max(...next.map(([command]) => command.length));
  lines.push(
    '',
    paint('bold', 'try next:'),
    ...next.map(([command, why]) => `  ${command.padEnd(width)}  ${paint('dim', `# ${why}`)}`),
  );
  return lines.join('\n') + '\n';
}
