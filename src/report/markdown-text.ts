/**
 * Putting untrusted text (spec values, messages, manifests) into GitHub/GitLab-flavoured Markdown so it
 * shows as written and cannot change the comment's structure: code spans and fences longer than any
 * backtick run inside them, table cells with `|` escaped, one line where one line is expected.
 */

/** Inline code showing `text` literally, even when it contains backticks. */
export function code(text: string): string {
  const flat = singleLine(text);
  const ticks = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** A fenced block (```lang) showing `text` literally; the fence outgrows any backtick run inside. */
export function fence(text: string, lang = ''): string {
  const ticks = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  const body = text.endsWith('\n') ? text : `${text}\n`;
  return `${ticks}${lang}\n${body}${ticks}\n`;
}

/** A table cell: one line, pipes escaped (GFM splits cells on `|` even inside code spans). */
export function cell(markdown: string): string {
  return singleLine(markdown).replace(/\|/g, '\\|');
}

/** HTML-escaped text for `<summary>` and other raw HTML. */
export function html(text: string): string {
  return singleLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function singleLine(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ');
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/** `1 workspace`, `2 workspaces`. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
