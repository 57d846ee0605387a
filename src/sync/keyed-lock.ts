/** One task at a time per key (a repository directory), in arrival order; different keys run in parallel. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Holds every key at once (sorted, so two callers never wait on each other in a cycle). */
  runAll<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)].sort();
    const nest = (i: number): Promise<T> => {
      const key = unique[i];
      return key === undefined ? task() : this.run(key, () => nest(i + 1));
    };
    return nest(0);
  }
}
