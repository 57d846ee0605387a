/**
 * Runs passes one at a time and coalesces requests: any number of requests while a pass runs cause
 * exactly one more pass after it, which reads the newest source and so covers all of them.
 */
export class PassScheduler {
  private readonly pass: () => Promise<void>;
  private running: Promise<void> | undefined;
  private pending = false;

  constructor(pass: () => Promise<void>) {
    this.pass = pass;
  }

  /** Asks for a pass as soon as possible. */
  request(): void {
    this.pending = true;
    this.running ??= this.drain();
  }

  /** Resolves when no pass is running or waiting. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending) {
        this.pending = false;
        await this.pass();
      }
    } finally {
      this.running = undefined;
    }
  }
}
