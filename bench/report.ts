/**
 * `report plan` benchmark. A source checkout with 1,000 workspaces (the sync benchmark's specs) and a
 * pull request that changes one of them; `kaito-gitops report plan --github ...` runs in this process
 * against the local GitHub API server. Measured: from the command's start to the comment being posted
 * (the server's answer to the POST/PATCH), and the whole command (the status write comes after the
 * comment, one second later as GitHub asks of integrations); as the reference in the same run, one
 * `kaito-gitops synth` of the head's tree to disk. Each run is a new head commit changing another
 * workspace (and puts back the one before), so the first run creates the comment and the others edit it.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../src/cli/main.ts';
import type { CliIO } from '../src/cli/command.ts';
import { startGitHubApiServer } from '../tests/support/github-api-server.ts';
import { generateSpecs } from './sync.ts';

const exec = promisify(execFile);
const TOKEN = 'ghs_bench_token_0123456789';

export interface ReportBenchResult {
  workspaces: number;
  runs: number;
  /** Medians, ms. */
  toCommentMs: number;
  commandMs: number;
  synthMs: number;
  /** toCommentMs / synthMs. */
  ratio: number;
  commentChars: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function quietIO(cwd: string, env: Record<string, string>): CliIO {
  return { stdout: () => undefined, stderr: () => undefined, env, cwd, stopped: new Promise(() => {}) };
}

export async function benchReport(runs = 5, workspaces = 1000): Promise<ReportBenchResult> {
  const root = await mkdtemp(join(tmpdir(), 'kaito-gitops-bench-report-'));
  const github = await startGitHubApiServer();
  github.addToken(TOKEN);
  const repo = github.repository('acme/models');
  const git = (...args: string[]) =>
    exec('git', args, {
      cwd: root,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'dev',
        GIT_AUTHOR_EMAIL: 'd@e',
        GIT_COMMITTER_NAME: 'dev',
        GIT_COMMITTER_EMAIL: 'd@e',
      },
    });
  try {
    const specs = await generateSpecs(workspaces);
    const dir = join(root, 'gitops', 'workspaces');
    await mkdir(dir, { recursive: true });
    for (const [path, text] of specs) await writeFile(join(dir, path), text);
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'seed');
    await git('checkout', '-q', '-b', 'feature');

    const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url };
    const args = ['report', 'plan', '--base', 'main', '--github', 'acme/models', '--pr', '1'];
    // warm-up: module loading and JIT, as the synth benchmark does
    await main(['report', 'plan', '--base', 'main'], quietIO(root, {}));
    const toComment: number[] = [];
    const command: number[] = [];
    const synth: number[] = [];
    let previous: [string, string] | undefined;
    for (let run = 0; run < runs; run++) {
      // one workspace differs from base at every run: the last one changed goes back as it was
      if (previous !== undefined) await writeFile(join(dir, previous[0]), previous[1]);
      // every third spec is a phi-3-mini on Standard_NC6s_v3
      const [path = '', text = ''] = [...specs][run * 99] ?? [];
      previous = [path, text];
      await writeFile(
        join(dir, path),
        text.replace('Standard_NC6s_v3', 'Standard_NC12s_v3') + `# run ${run}\n`,
      );
      await git('commit', '-q', '-am', `change ${path}`);
      repo.commits.add((await git('rev-parse', 'HEAD')).stdout.trim());

      const before = github.requests.length;
      const started = performance.now();
      const code = await main(args, quietIO(root, env));
      command.push(performance.now() - started);
      if (code !== 0) throw new Error(`report plan exited ${code}`);
      const posted = github.requests
        .slice(before)
        .find((r) => r.method !== 'GET' && r.path.includes('/comments'));
      if (posted === undefined) throw new Error('no comment was written');
      if (!repo.comments[0]?.body.includes('**0 added, 1 changed, 0 removed, 0 refused**')) {
        throw new Error('the comment does not show exactly one changed workspace');
      }
      toComment.push(posted.at - started);

      const out = join(root, `synth-${run}`);
      const synthStarted = performance.now();
      await main(['synth', '--workspaces', dir, '--out', out], quietIO(root, {}));
      synth.push(performance.now() - synthStarted);
      await rm(out, { recursive: true, force: true });
    }
    const toCommentMs = median(toComment);
    const synthMs = median(synth);
    return {
      workspaces,
      runs,
      toCommentMs,
      commandMs: median(command),
      synthMs,
      ratio: toCommentMs / synthMs,
      commentChars: repo.comments[0]?.body.length ?? 0,
    };
  } finally {
    await github.close();
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const r = await benchReport(Number(process.argv[2] ?? 5));
  console.log(JSON.stringify(r, null, 2));
}
