/**
 * Every path of a tree is relative, POSIX and inside the root: checked when a tree is built, when an
 * inventory is read and again before a file is written (defense in depth; names come from specs).
 */

/** Lowercase RFC 1123 names (namespaces, object names), which is all a generated path segment may be. */
const SAFE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

// An empty path or segment, a leading or trailing `/`, a backslash or NUL, a `.` or `..` segment.
const UNSAFE_PATH = /^$|^\/|\/$|\/\/|[\\\0]|(?:^|\/)\.{1,2}(?:\/|$)/;

/** Throws unless `path` is relative, uses `/`, and has no empty, `.` or `..` segment. */
export function assertTreePath(path: string): void {
  if (UNSAFE_PATH.test(path)) {
    throw new Error(
      `refusing path ${JSON.stringify(path)}: tree paths must be relative and stay inside the root`,
    );
  }
}

/** Throws unless `name` can be used as a path segment of generated output. */
export function assertSafeName(name: string, what: string): void {
  if (!SAFE_NAME.test(name) || name.length > 253) {
    throw new Error(
      `refusing ${what} ${JSON.stringify(name)}: not a lowercase RFC 1123 name, so not a safe path segment`,
    );
  }
}
