/**
 * Bytes of a source file (from disk or from a git blob) → the {@link SourceFile} the loader reads. A file
 * that is not YAML text is still a file of the source: it is marked unreadable, so it fails as a whole
 * and keeps what it produced, instead of looking deleted.
 */
import type { SourceFile } from './load.ts';
import { MAX_FILE_BYTES, tooLarge } from './yaml-documents.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A spec file that is a symbolic link: read from nowhere, so that no link pulls a file from outside in. */
export function sourceLink(path: string, display?: string): SourceFile {
  const file: SourceFile = {
    path,
    content: '',
    unreadable:
      'is a symbolic link; kaito-gitops reads only regular files, so that no link can pull a file from outside the source in: replace it with the file itself',
  };
  if (display !== undefined) file.display = display;
  return file;
}

/**
 * `bytes` may be cut short by a reader that stops after {@link MAX_FILE_BYTES} + 1 bytes; `size` is then
 * the file's real size, which the message states.
 */
export function sourceFile(
  path: string,
  bytes: Uint8Array,
  options: { size?: number; display?: string } = {},
): SourceFile {
  const file = (fields: { content: string; unreadable?: string }): SourceFile =>
    options.display === undefined ? { path, ...fields } : { path, display: options.display, ...fields };
  const size = options.size ?? bytes.length;
  if (size > MAX_FILE_BYTES) return file({ content: '', unreadable: tooLarge(size) });
  if (bytes.includes(0)) {
    return file({
      content: '',
      unreadable:
        'is not a YAML text file: it holds binary data (NUL bytes); keep only Workspace YAML and the objects it references here',
    });
  }
  try {
    return file({ content: UTF8.decode(bytes) });
  } catch {
    return file({
      content: '',
      unreadable: 'is not a YAML text file: it is not valid UTF-8; save it as UTF-8 text',
    });
  }
}
