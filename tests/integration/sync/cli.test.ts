import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import {
  Checkout,
  GIT_PASSWORD,
  GIT_USER,
  READER_TOKEN,
  READER_USER,
  git,
  startGitRemote,
  syncFlags,
  type GitRemote,
} from '../../support/git-remote.ts';
import { runCli } from '../../support/cli.ts';

const EXAMPLES = join(import.meta.dirname, '../../../gitops/workspaces');
const SECRET = 'webhook-secret-0123456789';

let remote: GitRemote;
let author: Checkout;
let phi: string;

beforeAll(async () => {
  remote = await startGitRemote();
  await remote.createRepo('models.git');
  await remote.createRepo('deploy.git');
  phi = await readFile(join(EXAMPLES, 'phi-3-mini.yaml'), 'utf8');
  author = await Checkout.create(remote, 'models.git', 'author');
  await author.change(
    {
      'gitops/workspaces/phi-3-mini.yaml': phi,
      'gitops/workspaces/phi-3-tuning.yaml': await readFile(join(EXAMPLES, 'phi-3-tuning.yaml'), 'utf8'),
    },
    'two workspaces',
  );
});

afterAll(async () => {
  await remote.close();
});

const env = { KAITO_GITOPS_GIT_USERNAME: GIT_USER, KAITO_GITOPS_GIT_PASSWORD: GIT_PASSWORD };
const flags = (cache: string) => syncFlags(remote, { cacheDir: join(remote.root, 'cache', cache) });
const deployTip = async () => (await git(remote.bare('deploy.git'), 'rev-parse', 'deploy')).trim();

describe('kaito-gitops sync --once', () => {
  it('draws its steps on a terminal, clears the line, and prints the result', async () => {
    const drawn: string[] = [];
    const tty = new Writable({
      write(chunk: Buffer, _encoding, done) {
        drawn.push(chunk.toString());
        done();
      },
    });
    Object.assign(tty, { isTTY: true, columns: 120 });
    let stdout = '';
    const code = await main([...flags('tty'), '--target-branch', 'deploy-tty', '--once'], {
      stdout: (text) => void (stdout += text),
      stderr: () => undefined,
      env,
      cwd: remote.root,
      stopped: new Promise(() => {}),
      terminal: { color: false, progress: tty as unknown as NodeJS.WriteStream },
    });
    expect(code).toBe(0);
    expect(drawn.join('')).toMatch(/sync [=-]+ [0-4]\/4/); // steps: fetching, rendering, committing, pushing
    expect(drawn.join('')).toContain('\u001b[2K');
    expect(stdout).toMatch(/^(pushed|up to date:) [0-9a-f]{12} /);
  });

  it('exits 0 and prints the result as JSON', async () => {
    const run = await runCli([...flags('once'), '--once', '-o', 'json'], remote.root, env);
    expect(run.code).toBe(0);
    // stderr carries the JSON log lines only
    for (const line of run.stderr.split('\n').filter((l) => l !== ''))
      expect(JSON.parse(line)).toHaveProperty('msg');
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ outcome: 'pushed', workspaceCount: 2, errors: [] });
    expect(await deployTip()).toBe(result.deployCommit);
  });

  it('an invalid spec next to running ones: exit 1, the error listed, their files untouched', async () => {
    const before = await deployTip();
    await author.change(
      {
        'gitops/workspaces/bad.yaml': phi
          .replace('workspace-phi-3-mini', 'bad-one')
          .replace('Standard_NC6s_v3', 'Standard_NC6s_v3\n  count: -2'),
      },
      'add a bad spec',
    );
    const run = await runCli([...flags('once'), '--once', '-o', 'json'], remote.root, env);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.errors).toEqual([
      expect.objectContaining({ file: 'gitops/workspaces/bad.yaml', name: 'bad-one' }),
    ]);
    expect(result.errors[0].problems[0].path).toContain('count');
    // The running workspaces' files are byte for byte what they were.
    const diff = (await git(remote.bare('deploy.git'), 'diff', '--name-only', before, 'deploy')).trim();
    expect(diff).toBe('');
    const text = await runCli([...flags('once'), '--once'], remote.root, env);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(
      'gitops/workspaces/bad.yaml:9:3: Workspace default/bad-one: resource.count',
    );
  });

  it('never prints credentials, even when the push fails', async () => {
    await author.change(
      {
        'gitops/workspaces/bad.yaml': null,
        'gitops/workspaces/phi-3-mini.yaml': phi.replace('apps: phi-3', 'apps: phi-3-r'),
      },
      'drop the bad spec, relabel',
    );
    const run = await runCli([...flags('reader'), '--once', '--max-attempts', '2'], remote.root, {
      KAITO_GITOPS_GIT_USERNAME: READER_USER,
      KAITO_GITOPS_GIT_PASSWORD: READER_TOKEN,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('403');
    const printed = run.stdout + run.stderr;
    expect(printed).not.toContain(READER_TOKEN);
    expect(printed).not.toContain(Buffer.from(`${READER_USER}:${READER_TOKEN}`).toString('base64'));
  });

  it('refuses credentials in a URL flag, naming the variables to use instead', async () => {
    const run = await runCli(['sync', '--source', remote.authedUrl('models.git'), '--once'], remote.root, {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('KAITO_GITOPS_GIT_TOKEN');
    expect(run.stderr).not.toContain(GIT_PASSWORD);
  });
});

describe('kaito-gitops sync --listen', () => {
  let base: string;
  let stop: () => void;
  let exited: Promise<number>;
  let stdout = '';

  beforeAll(async () => {
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    exited = main([...flags('server'), '--listen', '127.0.0.1:0', '--interval', '1h'], {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stdout += text),
      env: { ...env, KAITO_GITOPS_WEBHOOK_SECRET: SECRET },
      cwd: remote.root,
      stopped,
    });
    for (let i = 0; i < 200 && !/"msg":"sync (finished|failed)"/.test(stdout); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    base = /"address":"(http:[^"]+)"/.exec(stdout)?.[1] ?? '';
    expect(base).not.toBe('');
  });

  afterAll(async () => {
    stop();
    expect(await exited).toBe(0);
  });

  const push = (body: object, delivery: string, secret = SECRET) => {
    const payload = JSON.stringify(body);
    return fetch(`${base}/webhook`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-GitHub-Event': 'push',
        'X-GitHub-Delivery': delivery,
        'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`,
      },
      body: payload,
    });
  };
  const syncs = async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return [...text.matchAll(/^kaito_gitops_syncs_total\{result="[a-z]+"\} (\d+)$/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
  };

  it('answers health and readiness', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('a wrong signature gets 401 and no sync', async () => {
    const before = await syncs();
    const sha = await author.change(
      { 'gitops/workspaces/phi-3-mini.yaml': phi.replace('apps: phi-3', 'apps: phi-3-a') },
      'relabel',
    );
    const res = await push({ ref: 'refs/heads/main', after: sha }, 'd-forged', 'not-the-secret');
    expect(res.status).toBe(401);
    expect(await syncs()).toBe(before);
  });

  it('a signed push syncs at once; a replayed delivery or an already synced sha makes no commit', async () => {
    const sha = (await git(remote.bare('models.git'), 'rev-parse', 'main')).trim();
    const res = await push({ ref: 'refs/heads/main', after: sha }, 'd-1');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'pushed', sourceCommit: sha });
    const tip = await deployTip();
    const replay = await push({ ref: 'refs/heads/main', after: sha }, 'd-1');
    expect(await replay.json()).toMatchObject({ status: 'duplicate delivery' });
    const again = await push({ ref: 'refs/heads/main', after: sha }, 'd-2');
    expect(await again.json()).toMatchObject({ status: 'already synced' });
    const other = await push({ ref: 'refs/heads/deploy', after: tip }, 'd-3');
    expect(other.status).toBe(202);
    expect(await deployTip()).toBe(tip);
    expect(
      await git(
        remote.bare('deploy.git'),
        'log',
        '--format=%(trailers:key=Source-Commit,valueonly)',
        'deploy',
      ),
    ).toContain(sha);
  });

  it('exposes Prometheus metrics', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^kaito_gitops_syncs_total\{result="pushed"\} [1-9]/m);
    expect(text).toMatch(/^kaito_gitops_sync_duration_seconds_count [1-9]/m);
    expect(text).toMatch(/^kaito_gitops_webhook_requests_total\{result="unauthorized"\} 1$/m);
    const sha = (await git(remote.bare('models.git'), 'rev-parse', 'main')).trim();
    expect(text).toContain(
      `kaito_gitops_last_synced_source_info{repository="${remote.url('models.git')}",source_commit="${sha}"} 1`,
    );
    expect(
      stdout
        .split('\n')
        .filter((l) => l !== '')
        .every((line) => JSON.parse(line) !== null),
    ).toBe(true);
    expect(stdout).not.toContain(GIT_PASSWORD);
    expect(stdout).not.toContain(SECRET);
  });
});
