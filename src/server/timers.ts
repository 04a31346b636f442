/** A clock and one-shot timers, injected so tests drive time (preemption grace, job-group waits). */
export interface Timers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms`; the returned function cancels it. Timers never keep the process alive. */
  after(ms: number, fn: () => void): () => void;
}

/** The real clock. */
export const REAL_TIMERS: Timers = Object.freeze({
  now: () => Date.now(),
  after(ms: number, fn: () => void): () => void {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
});
