/**
 * A rendered Kustomize tree: POSIX paths relative to the output root, mapped to file contents.
 * Keys are kept sorted so that iteration order, and so every write, is stable.
 */
export type Tree = ReadonlyMap<string, string>;
