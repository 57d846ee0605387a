/**
 * Live status after merge, as data and text: one Workspace's state in the cluster as a commit status
 * (`kaito-gitops/<namespace>/<name>` on its source commit) and as a row of the status table in the
 * pull request's sticky comment. Pure; the publisher (live-status-publisher.ts) does the writing.
 */
import { compareNamespaced } from '../api/index.ts';
import { cell, code, count, singleLine } from './markdown-text.ts';
import { statusDescription, type CommitState, type CommitStatus } from './provider.ts';

/** What the agent knows of one Workspace, from its object in the cluster. */
export interface LiveState {
  namespace: string;
  name: string;
  /** The source repository URL sync stamped (`gitops.kaito.sh/source-repository`). */
  repository: string;
  /** The source commit at which its output last changed (`gitops.kaito.sh/source-commit`). */
  commit: string;
  /** pending while reconciling, success when Ready, failure when Stalled. */
  state: Exclude<CommitState, 'error'>;
  /** The condition's reason (`QuotaExceeded`, `ImagePullBackOff`, `OOMKilled`, ...). */
  reason: string;
  message: string;
}

export function liveContext(namespace: string, name: string): string {
  return `kaito-gitops/${namespace}/${name}`;
}

const STATE_WORDS: Record<LiveState['state'], string> = {
  pending: 'reconciling',
  success: 'Ready',
  failure: 'Stalled',
};

export function liveCommitStatus(state: LiveState): CommitStatus {
  const detail = [state.reason, state.message].filter((part) => part !== '').join(': ');
  return {
    context: liveContext(state.namespace, state.name),
    state: state.state,
    description: statusDescription(
      detail === '' ? STATE_WORDS[state.state] : `${STATE_WORDS[state.state]}: ${detail}`,
    ),
  };
}

/**
 * `owner/repo` (GitHub) or `group/sub/project` (GitLab) from a repository URL as sync stamps it
 * (`https://github.com/acme/models.git`); undefined for anything else.
 */
export function repositoryPath(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const path = parsed.pathname.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
  const parts = path.split('/');
  if (parts.length < 2 || parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  return parts.join('/');
}

/** Most characters of the status section: the plan keeps the rest of the comment. */
export const STATUS_SECTION_LIMIT = 16_000;

const ICONS: Record<LiveState['state'], string> = { pending: '⏳', success: '✅', failure: '❌' };

/** The live status table of the Workspaces a pull request introduced, cut to `limit` characters. */
export function statusSection(states: readonly LiveState[], limit = STATUS_SECTION_LIMIT): string {
  const sorted = [...states].sort(compareNamespaced);
  const counts = (['success', 'pending', 'failure'] as const)
    .map((s) => [s, sorted.filter((w) => w.state === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${STATE_WORDS[s]}`);
  const head = [
    '### kaito-gitops live status',
    '',
    `After merge: ${counts.join(', ') || 'no Workspaces yet'}.`,
    '',
    '| Workspace | State | Why |',
    '|---|---|---|',
  ];
  const rows = sorted.map(
    (s) =>
      `| ${cell(code(`${s.namespace}/${s.name}`))} | ${ICONS[s.state]} ${STATE_WORDS[s.state]} | ${cell(
        singleLine([s.reason, s.message].filter((p) => p !== '').join(': ')).slice(0, 200),
      )} |`,
  );
  const lines = [...head];
  let length = lines.join('\n').length;
  let shown = 0;
  const room = limit - 80; // the "more" line
  for (const row of rows) {
    if (length + row.length + 1 > room) break;
    lines.push(row);
    length += row.length + 1;
    shown++;
  }
  if (shown < rows.length) lines.push('', `_${count(rows.length - shown, 'more Workspace')} not shown._`);
  return lines.join('\n') + '\n';
}
