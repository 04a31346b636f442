import type { Timers } from '../../src/server/timers.js';

/** Timers a test drives: `advance(ms)` moves the clock and runs what fell due, in time order. */
export class ManualTimers implements Timers {
  private t = 1_000_000;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const id = this.seq++;
    this.due.set(id, { at: this.t + ms, fn });
    return () => this.due.delete(id);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.due.size;
  }

  /** Moves the clock by `ms`, firing every timer due on the way. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.due.entries()].filter(([, d]) => d.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (next === undefined) break;
      this.due.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
}
