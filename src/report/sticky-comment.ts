/**
 * Writing one section of the pull request's sticky comment: find the comment by its marker (on any
 * page), replace this writer's section and keep the others, create the comment when there is none,
 * and write nothing when the body would not change (a re-run, an agent restart). Should a race between
 * two writers ever leave two marked comments, the newer ones are deleted so exactly one remains.
 */
import {
  COMMENT_LIMIT,
  composeComment,
  isStickyComment,
  overhead,
  parseComment,
  SECTIONS,
  type Section,
} from './comment-body.ts';
import type { CodeHost } from './provider.ts';

export interface StickyResult {
  commentId: number;
  action: 'created' | 'updated' | 'unchanged';
}

/**
 * Sets `section` of the sticky comment on pull request `number` to `render(budget)`, where `budget` is
 * what the section may use so that the whole body stays within {@link COMMENT_LIMIT}.
 */
export async function writeSection(
  host: CodeHost,
  number: number,
  section: Section,
  render: (budget: number) => string,
): Promise<StickyResult> {
  const [first, ...duplicates] = (await host.comments(number)).filter((c) => isStickyComment(c.body));
  const sections = first === undefined ? {} : parseComment(first.body);
  const others = SECTIONS.filter((s) => s !== section && sections[s] !== undefined);
  const othersLength = others.reduce((sum, s) => sum + (sections[s]?.length ?? 0), 0);
  // Another writer's section never takes more than half of the comment from this one.
  const keepOthers = othersLength <= COMMENT_LIMIT / 2;
  const kept = keepOthers ? others : [];
  const budget = COMMENT_LIMIT - overhead([...kept, section]) - (keepOthers ? othersLength : 0);
  const body = composeComment({
    ...Object.fromEntries(kept.map((s) => [s, sections[s]])),
    [section]: render(budget),
  });

  let result: StickyResult;
  if (first === undefined) {
    result = { commentId: (await host.createComment(number, body)).id, action: 'created' };
  } else if (first.body !== body) {
    await host.updateComment(number, first.id, body);
    result = { commentId: first.id, action: 'updated' };
  } else result = { commentId: first.id, action: 'unchanged' };
  for (const duplicate of duplicates) await host.deleteComment(number, duplicate.id);
  return result;
}
