/**
 * Provenance on every rendered Workspace object: the source repository, the spec's path and the
 * source commit at which *that workspace's* rendered output last changed. An unchanged workspace keeps
 * its stamp, so a one-spec change touches only that workspace's files. Decided in two renders: first
 * with every workspace's previous stamp; the workspaces whose output still changed are rendered again
 * with the new commit.
 */
import type { HydrateOptions, HydrateResult, SourceFile } from '../pipeline.ts';
import type { Tree } from '../render/index.ts';
import type { Renderer } from './renderer.ts';
import {
  SOURCE_COMMIT_ANNOTATION,
  SOURCE_PATH_ANNOTATION,
  SOURCE_REPOSITORY_ANNOTATION,
  keyOf,
} from '../api/index.ts';

export { SOURCE_COMMIT_ANNOTATION, SOURCE_PATH_ANNOTATION, SOURCE_REPOSITORY_ANNOTATION };

export interface SourceStamp {
  /** The source repository URL, without credentials. */
  repository: string;
  /** The directory of the specs inside the source repository (`""` for the root). */
  path: string;
  commit: string;
}

const WORKSPACE_FILE = /^workspaces\/([^/]+)\/([^/]+)\/workspace-\2\.yaml$/;
const COMMIT_LINE = new RegExp(
  `^\\s+${SOURCE_COMMIT_ANNOTATION.replace(/[./]/g, '\\$&')}:\\s*["']?([0-9a-f]{40}|[0-9a-f]{64})["']?\\s*$`,
  'm',
);

/** `namespace/name` → the source commit stamped on that Workspace object in `tree`. */
export function stampsOf(tree: Tree): Map<string, string> {
  const stamps = new Map<string, string>();
  for (const [path, text] of tree) {
    const file = WORKSPACE_FILE.exec(path);
    if (file === null) continue;
    const commit = COMMIT_LINE.exec(text)?.[1];
    if (commit !== undefined) stamps.set(`${file[1]}/${file[2]}`, commit);
  }
  return stamps;
}

/** Renders `files` with provenance annotations (see the module comment). */
export function renderStamped(
  render: Renderer,
  files: readonly SourceFile[],
  options: Omit<HydrateOptions, 'annotate'> & { stamp: SourceStamp },
): HydrateResult {
  const { stamp, ...rest } = options;
  const previous = stampsOf(options.previous ?? new Map());
  const annotations = (file: string, commit: string) => ({
    [SOURCE_REPOSITORY_ANNOTATION]: stamp.repository,
    [SOURCE_PATH_ANNOTATION]: stamp.path === '' ? file : `${stamp.path}/${file}`,
    [SOURCE_COMMIT_ANNOTATION]: commit,
  });
  const first = render(files, {
    ...rest,
    annotate: (ws) => annotations(ws.file, previous.get(keyOf(ws)) ?? stamp.commit),
  });
  const restamp = new Set(
    first.workspaces
      .filter((ws) => ws.status === 'rendered')
      .map((ws) => keyOf(ws))
      .filter((key) => (previous.get(key) ?? stamp.commit) !== stamp.commit),
  );
  if (restamp.size === 0) return first;
  return render(files, {
    ...rest,
    annotate: (ws) => {
      const key = keyOf(ws);
      return annotations(ws.file, restamp.has(key) ? stamp.commit : (previous.get(key) ?? stamp.commit));
    },
  });
}
