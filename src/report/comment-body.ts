/**
 * The one sticky comment per pull request: a hidden marker on its first line (how it is found again),
 * then up to two sections that different writers own — `plan` (`report plan`, before merge) and
 * `status` (the agent, after merge). A writer replaces its own section and keeps the other, so the
 * comment reads plan first, live status below, and never grows past the provider's limit.
 *
 * Section markers are HTML comments on lines of their own. Nothing else in the body starts a line with
 * `<!--`: every untrusted text goes into code spans, fences, table cells or list items.
 */

/** First line of every comment kaito-gitops writes. */
export const COMMENT_MARKER = '<!-- kaito-gitops -->';

/**
 * GitHub refuses bodies over 65,536 characters ("Body is too long"); GitLab allows 1,000,000 but
 * one limit keeps the two providers' comments alike. JavaScript counts UTF-16 units, which is never
 * fewer than the code points GitHub counts.
 */
export const COMMENT_LIMIT = 65_536;

export const SECTIONS = ['plan', 'status'] as const;
export type Section = (typeof SECTIONS)[number];
export type CommentSections = Partial<Record<Section, string>>;

const start = (section: Section) => `<!-- kaito-gitops:${section} -->`;
const end = (section: Section) => `<!-- /kaito-gitops:${section} -->`;

/** True for a comment kaito-gitops wrote (the marker opens it; a quote of it in a reply does not). */
export function isStickyComment(body: string): boolean {
  return body.startsWith(COMMENT_MARKER);
}

/** The body holding `sections` in their fixed order. */
export function composeComment(sections: CommentSections): string {
  const parts = [COMMENT_MARKER];
  for (const section of SECTIONS) {
    const text = sections[section];
    if (text === undefined) continue;
    parts.push(start(section), text.endsWith('\n') ? text.slice(0, -1) : text, end(section));
  }
  return parts.join('\n') + '\n';
}

/** The sections of a body `composeComment` wrote; anything else in it is dropped. */
export function parseComment(body: string): CommentSections {
  const sections: CommentSections = {};
  const lines = body.split('\n');
  for (const section of SECTIONS) {
    const from = lines.indexOf(start(section));
    const to = lines.indexOf(end(section), from + 1);
    if (from >= 0 && to > from) sections[section] = lines.slice(from + 1, to).join('\n') + '\n';
  }
  return sections;
}

/**
 * Characters the marker lines around `sections` cost, so a writer knows what its own section may use
 * (a section's text, ending in a newline, costs its own length).
 */
export function overhead(sections: readonly Section[]): number {
  return composeComment(Object.fromEntries(sections.map((s) => [s, '']))).length - sections.length;
}
