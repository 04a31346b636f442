import type { TracePod } from '../replay/load-trace.js';
import { parsePodList } from '../replay/load-trace.js';
import type { SeededRng } from '../replay/seeded-rng.js';

/** The time columns of one pod row (seconds; NaN where the cell is empty). */
export interface TraceTimes {
  readonly creation: number;
  readonly scheduled: number;
  readonly deletion: number;
  /** Raw `qos` (LS, BE, Burstable, Guaranteed). */
  readonly qos: string;
}

/** A pod list with its time columns, row for row. */
export interface TimedPodList {
  readonly pods: readonly TracePod[];
  readonly times: readonly TraceTimes[];
}

/** How queue priority is taken from the trace: `qos` (best-effort pods yield to every other pod) or `none`. */
export type PriorityMode = 'qos' | 'none';

/** One pod as churn mode replays it. */
export interface ChurnPod {
  /** Position in the seed's arrival order (0..n-1). */
  readonly id: number;
  /** The trace row; multi-GPU pods ask `nvlink-preferred`, best-effort pods are interruptible. */
  readonly pod: TracePod;
  /** Arrival in replay seconds (the trace's creation time, jittered and divided by the rate factor). */
  readonly arrival: number;
  /** Observed run time, seconds: deletion − scheduled (not compressed). */
  readonly runSeconds: number;
  /** Queue priority: higher is popped first. */
  readonly priority: number;
}

/** A seed's arrivals plus what was left out and why. */
export interface ChurnArrivals {
  readonly pods: readonly ChurnPod[];
  /** Rows without scheduled_time (the trace's Pending pods): they never ran, so they have no run time. */
  readonly skippedNeverScheduled: number;
  /** Trace time mapped to replay time 0: the earliest deletion time (the start of the trace's window). */
  readonly windowStart: number;
  /** Mean gap between arrivals in trace seconds; each arrival is jittered uniformly within ± half of it. */
  readonly meanGapSeconds: number;
}

function num(v: string | undefined): number {
  return v === undefined || v.trim() === '' ? Number.NaN : Number(v);
}

/**
 * Parses a pod list CSV with its time columns (`creation_time`, `scheduled_time`, `deletion_time`, `qos`), which the
 * arrivals-only replay ignores; the pods themselves come from parsePodList, so both replays read a row alike.
 */
export function parseTimedPodList(text: string, file = 'pods.csv'): TimedPodList {
  const pods = parsePodList(text, file);
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',');
  for (const col of ['creation_time', 'scheduled_time', 'deletion_time']) {
    if (!header.includes(col)) throw new Error(`cannot read trace file "${file}" for churn mode: column "${col}" is missing`);
  }
  const at = (name: string): number => header.indexOf(name);
  const [c, s, d, q] = [at('creation_time'), at('scheduled_time'), at('deletion_time'), at('qos')];
  const times = lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    const t = { creation: num(cells[c]), scheduled: num(cells[s]), deletion: num(cells[d]), qos: q < 0 ? '' : (cells[q] ?? '') };
    if (Number.isNaN(t.creation)) throw new Error(`cannot read trace file "${file}" for churn mode: row ${i + 2} has no creation_time`);
    return t;
  });
  return { pods, times };
}

/** Queue priority of a row: under `qos`, best-effort (BE) pods 0 and every other class 1; under `none`, 0. */
export function queuePriority(qos: string, mode: PriorityMode): number {
  return mode === 'qos' && qos !== 'BE' ? 1 : 0;
}

/**
 * A seed's arrivals at `rate` × the trace's arrival rate.
 *
 * - Rows without scheduled_time or deletion_time (the Pending rows) are left out: they never ran.
 * - Replay time 0 is the trace's window start (the earliest deletion time); rows created before it (pods that
 *   were already running) arrive at 0 with the run time they had left then.
 * - Each arrival is jittered by a uniform draw in ± half the mean inter-arrival gap (the seed's only randomness
 *   here), then divided by `rate`; run times are not compressed.
 * - Best-effort pods are interruptible (defragmentation may move them); multi-GPU pods ask `nvlink-preferred`.
 */
export function churnArrivals(list: TimedPodList, rate: number, rng: SeededRng, priority: PriorityMode = 'qos'): ChurnArrivals {
  if (!(rate > 0)) throw new Error(`bug: rate factor must be positive, got ${rate}`);
  let windowStart = Infinity;
  for (const t of list.times) if (!Number.isNaN(t.deletion)) windowStart = Math.min(windowStart, t.deletion);
  const kept: number[] = [];
  list.times.forEach((t, i) => { if (!Number.isNaN(t.scheduled) && !Number.isNaN(t.deletion)) kept.push(i); });
  const traceArrival = kept.map((i) => Math.max(0, list.times[i]!.creation - windowStart));
  const span = traceArrival.length > 1 ? Math.max(...traceArrival) - Math.min(...traceArrival) : 0;
  const meanGap = traceArrival.length > 1 ? span / (traceArrival.length - 1) : 0;
  const drafts = kept.map((i, j) => {
    const t = list.times[i]!;
    const p = list.pods[i]!;
    const jittered = Math.max(0, traceArrival[j]! + (rng.next() - 0.5) * meanGap);
    return {
      row: i,
      arrival: jittered / rate,
      runSeconds: Math.max(0, t.deletion - Math.max(t.scheduled, windowStart)),
      priority: queuePriority(t.qos, priority),
      pod: { ...p, interruptible: t.qos === 'BE', topology: p.gpuCount > 1 ? ('nvlink-preferred' as const) : ('any' as const) },
    };
  });
  drafts.sort((a, b) => a.arrival - b.arrival || a.row - b.row);
  return {
    pods: drafts.map((d, id) => ({ id, pod: d.pod, arrival: d.arrival, runSeconds: d.runSeconds, priority: d.priority })),
    skippedNeverScheduled: list.times.length - kept.length,
    windowStart,
    meanGapSeconds: meanGap,
  };
}
