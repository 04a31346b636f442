/** The cluster's state between two events, as the recorder integrates it. */
export interface ChurnState {
  /** GPU milli held by placed pods. */
  readonly usedMilli: number;
  /** Pods waiting in the queue and the GPU milli they ask for. */
  readonly pendingPods: number;
  readonly pendingMilli: number;
  /** See strandedGpuMilli. */
  readonly strandedMilli: number;
}

/** Per-run figures over time: `buckets` equal slices of [0, horizon] replay seconds. */
export interface ChurnSeries {
  readonly bucketSeconds: number;
  /** Time-mean allocated GPU % of capacity in each bucket. */
  readonly allocatedPct: number[];
  /** Time-mean pending pods and the GPUs they ask for. */
  readonly pendingPods: number[];
  readonly pendingGpus: number[];
  /** Stranded GPU-hours accumulated up to the end of each bucket. */
  readonly strandedGpuHours: number[];
  /** Wait percentiles (seconds) of the pods that arrived in each bucket (NaN when none arrived). */
  readonly waitP50: number[];
  readonly waitP95: number[];
  readonly waitP99: number[];
  /** Share of multi-GPU pods placed so far on a best-connected set (NaN before the first). */
  readonly bestConnectedShare: number[];
}

/** Per-run totals. Time means are over the arrival window [0, last arrival], the same for every policy. */
export interface ChurnTotals {
  readonly meanAllocatedPct: number;
  readonly meanPendingPods: number;
  readonly maxPendingPods: number;
  readonly meanPendingGpus: number;
  readonly maxPendingGpus: number;
  /** Over every placed pod: placement time − arrival (seconds). */
  readonly waitP50: number;
  readonly waitP95: number;
  readonly waitP99: number;
  readonly waitMean: number;
  /** The longest wait (seconds): whole-node pods that starve show here first. */
  readonly waitMax: number;
  readonly placedPods: number;
  /** ∫ stranded GPU dt over the whole run, hours. */
  readonly strandedGpuHours: number;
  readonly multiGpuPods: number;
  /** NaN when no multi-GPU pod was placed. */
  readonly bestConnectedShare: number;
}

/** The `q` quantile (0..1) of ascending `sorted`, interpolated linearly between ranks (numpy's default); NaN if empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Integrates a churn replay's piecewise-constant state over time and collects waits. Call `set(t, state)` after
 * every instant at which something changed (t never decreases): the previous state held over [last t, t).
 */
export class ChurnRecorder {
  private readonly bw: number;
  private last = 0;
  private state: ChurnState = { usedMilli: 0, pendingPods: 0, pendingMilli: 0, strandedMilli: 0 };
  private readonly used: Float64Array;
  private readonly pods: Float64Array;
  private readonly podsMilli: Float64Array;
  private readonly stranded: Float64Array;
  private readonly waitsByBucket: number[][];
  private readonly waits: number[] = [];
  private readonly multi: Int32Array;
  private readonly best: Int32Array;
  private windowUsed = 0;
  private windowPods = 0;
  private windowMilli = 0;
  private maxPods = 0;
  private maxMilli = 0;
  private strandedTotal = 0;

  constructor(
    private readonly capacityMilli: number,
    /** End of the arrival window (last arrival), seconds. */
    private readonly window: number,
    horizon: number,
    private readonly buckets: number,
  ) {
    this.bw = Math.max(horizon, 1e-9) / buckets;
    this.used = new Float64Array(buckets);
    this.pods = new Float64Array(buckets);
    this.podsMilli = new Float64Array(buckets);
    this.stranded = new Float64Array(buckets);
    this.multi = new Int32Array(buckets);
    this.best = new Int32Array(buckets);
    this.waitsByBucket = Array.from({ length: buckets }, () => []);
  }

  /** The state from `t` on; integrates the previous one up to `t`. */
  set(t: number, next: ChurnState): void {
    if (t < this.last) throw new Error(`bug: churn recorder went back in time from ${this.last} to ${t}`);
    this.integrate(this.last, t);
    this.last = t;
    this.state = next;
    this.maxPods = Math.max(this.maxPods, next.pendingPods);
    this.maxMilli = Math.max(this.maxMilli, next.pendingMilli);
  }

  /** A pod that arrived at `arrival` was placed after waiting `wait` seconds. */
  placed(arrival: number, wait: number): void {
    this.waits.push(wait);
    const b = Math.floor(arrival / this.bw);
    if (b < this.buckets) this.waitsByBucket[b]!.push(wait);
  }

  /** A multi-GPU pod placed at `t`, on a best-connected set or not. */
  multiGpuPlaced(t: number, bestConnected: boolean): void {
    const b = Math.min(this.buckets - 1, Math.floor(t / this.bw));
    this.multi[b]! += 1;
    if (bestConnected) this.best[b]! += 1;
  }

  /** Closes the run at `end` (≥ the last `set`) and returns the series and totals. */
  finish(end: number): { series: ChurnSeries; totals: ChurnTotals } {
    this.set(Math.max(end, this.last), this.state);
    const B = this.buckets;
    const cum: number[] = [];
    let acc = 0;
    for (let b = 0; b < B; b++) { acc += this.stranded[b]!; cum.push(acc / 3600); }
    const pct = (xs: number[], q: number): number => quantile(xs, q);
    const sortedBuckets = this.waitsByBucket.map((w) => w.sort((a, c) => a - c));
    let m = 0, bc = 0;
    const share: number[] = [];
    for (let b = 0; b < B; b++) { m += this.multi[b]!; bc += this.best[b]!; share.push(m === 0 ? Number.NaN : bc / m); }
    const series: ChurnSeries = {
      bucketSeconds: this.bw,
      allocatedPct: [...this.used].map((v) => (100 * v) / (this.bw * this.capacityMilli)),
      pendingPods: [...this.pods].map((v) => v / this.bw),
      pendingGpus: [...this.podsMilli].map((v) => v / this.bw / 1000),
      strandedGpuHours: cum,
      waitP50: sortedBuckets.map((w) => pct(w, 0.5)),
      waitP95: sortedBuckets.map((w) => pct(w, 0.95)),
      waitP99: sortedBuckets.map((w) => pct(w, 0.99)),
      bestConnectedShare: share,
    };
    const waits = this.waits.sort((a, c) => a - c);
    const w = Math.max(this.window, 1e-9);
    const totals: ChurnTotals = {
      meanAllocatedPct: (100 * this.windowUsed) / (w * this.capacityMilli),
      meanPendingPods: this.windowPods / w,
      maxPendingPods: this.maxPods,
      meanPendingGpus: this.windowMilli / w / 1000,
      maxPendingGpus: this.maxMilli / 1000,
      waitP50: quantile(waits, 0.5),
      waitP95: quantile(waits, 0.95),
      waitP99: quantile(waits, 0.99),
      waitMean: waits.length === 0 ? Number.NaN : waits.reduce((a, b) => a + b, 0) / waits.length,
      waitMax: waits.length === 0 ? Number.NaN : waits[waits.length - 1]!,
      placedPods: waits.length,
      strandedGpuHours: this.strandedTotal / 3600,
      multiGpuPods: m,
      bestConnectedShare: m === 0 ? Number.NaN : bc / m,
    };
    return { series, totals };
  }

  private integrate(t0: number, t1: number): void {
    if (t1 <= t0) return;
    const s = this.state;
    const strandedGpus = s.strandedMilli / 1000;
    this.strandedTotal += strandedGpus * (t1 - t0);
    const w0 = Math.min(t0, this.window), w1 = Math.min(t1, this.window);
    if (w1 > w0) {
      this.windowUsed += s.usedMilli * (w1 - w0);
      this.windowPods += s.pendingPods * (w1 - w0);
      this.windowMilli += s.pendingMilli * (w1 - w0);
    }
    const first = Math.floor(t0 / this.bw);
    for (let b = first; b < this.buckets; b++) {
      const lo = Math.max(t0, b * this.bw), hi = Math.min(t1, (b + 1) * this.bw);
      if (hi <= lo) break;
      const d = hi - lo;
      this.used[b]! += s.usedMilli * d;
      this.pods[b]! += s.pendingPods * d;
      this.podsMilli[b]! += s.pendingMilli * d;
      this.stranded[b]! += strandedGpus * d;
    }
  }
}
