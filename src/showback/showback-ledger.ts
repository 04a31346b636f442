/**
 * What a pod held, from when to when, and at what price: one row of the showback ledger.
 *
 * ```
 *   record(open)            close(end)
 *   ────────────> Open ─────────────────> Closed ──> pruned RETENTION_MS after its end
 * ```
 * Times are milliseconds since the epoch; the ledger never reads a clock (every query takes `now`).
 */
export interface Holding {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  /** GPU-equivalents held (see gpu-equivalents.ts): 1 per whole GPU, 0.25 for a quarter share. */
  readonly gpuEquivalents: number;
  /** Price of one GPU-hour on the node (node price / GPUs) when the holding started; null when unknown. */
  readonly gpuHourlyPrice: number | null;
  readonly start: number;
  /** Null while the pod still holds the devices. */
  readonly end: number | null;
}

/** How a showback report groups holdings. */
export type ShowbackGrouping = 'namespace' | 'pod';

/** One row of a report: a namespace, or a pod (by UID). */
export interface ShowbackRow {
  readonly namespace: string;
  /** Pod rows only. */
  readonly pod?: string;
  readonly uid?: string;
  readonly node?: string;
  /** GPU-equivalents × hours inside the window. */
  readonly gpuHours: number;
  /** gpuHours × the node's GPU-hour price, over holdings whose node has a price. */
  readonly cost: number;
  /** The part of gpuHours on nodes without a price (not in `cost`). */
  readonly unpricedGpuHours: number;
  /** GPU-equivalents held at `now` when the window reaches now (from <= now <= to), else 0. */
  readonly gpuEquivalentsNow: number;
}

/** Totals of a report. */
export interface ShowbackTotals {
  readonly gpuHours: number;
  readonly cost: number;
  readonly unpricedGpuHours: number;
  readonly gpuEquivalentsNow: number;
}

/** Cost per hour by namespace, bucket by bucket (the dashboard's chart). */
export interface CostSeries {
  /** Bucket start times (ms). */
  readonly times: readonly number[];
  /** Namespaces by cost in the window, highest first; `(other)` gathers the rest when there are more than `top`. */
  readonly namespaces: readonly string[];
  /** values[k][b]: mean cost per hour of namespaces[k] in bucket b. */
  readonly values: readonly (readonly number[])[];
}

/** Closed holdings are kept this long after they end (35 days: a month of showback and some slack). */
export const RETENTION_MS = 35 * 24 * 3600_000;
/** At most this many closed holdings are kept; the ones that ended first are dropped first. */
export const MAX_CLOSED = 500_000;
/** Name of the series gathering namespaces beyond the top ones. */
export const OTHER_NAMESPACES = '(other)';

const HOUR_MS = 3600_000;

interface MutableRow {
  namespace: string;
  pod?: string;
  uid?: string;
  node?: string;
  gpuHours: number;
  cost: number;
  unpricedGpuHours: number;
  gpuEquivalentsNow: number;
}

/**
 * GPU-equivalent hours and cost per pod, kept as holdings (who held how many GPU-equivalents on which node, from
 * when to when). Pure bookkeeping: fed by ShowbackRecorder from what the cluster reports, queried with explicit
 * times.
 */
export class ShowbackLedger {
  private readonly openByUid = new Map<string, Holding>();
  private readonly closedByUid = new Map<string, Holding[]>();
  /** Closed holdings in the order they were closed (pruning drops from the front). */
  private closed: Holding[] = [];
  private closedHead = 0;
  private changes = 0;

  /** `maxClosed`: closed holdings kept at most (default MAX_CLOSED). */
  constructor(private readonly maxClosed: number = MAX_CLOSED) {}

  /** Bumped on every change (readers keep derived figures per version). */
  get version(): number {
    return this.changes;
  }

  /** Number of holdings open now. */
  get openCount(): number {
    return this.openByUid.size;
  }

  /** The pod's open holding, or undefined. */
  openHolding(uid: string): Holding | undefined {
    return this.openByUid.get(uid);
  }

  /** Holdings open now (one per pod). */
  openHoldings(): IterableIterator<Holding> {
    return this.openByUid.values();
  }

  /** True when a closed holding of the pod that started at `start` is kept (a rebuilt one is not recorded twice). */
  hasClosed(uid: string, start: number): boolean {
    return (this.closedByUid.get(uid) ?? []).some((h) => h.start === start);
  }

  /** Records that a pod holds devices from `h.start`; an open holding of the same pod is closed at that time first. */
  open(h: Omit<Holding, 'end'>): void {
    const previous = this.openByUid.get(h.uid);
    if (previous !== undefined) this.close(h.uid, h.start);
    this.openByUid.set(h.uid, { ...h, end: null });
    this.changes += 1;
  }

  /** The pod stopped holding devices at `end` (never before its start). Returns false when nothing was open. */
  close(uid: string, end: number): boolean {
    const h = this.openByUid.get(uid);
    if (h === undefined) return false;
    this.openByUid.delete(uid);
    this.keepClosed({ ...h, end: Math.max(h.start, end) });
    return true;
  }

  /** Records a holding that already ended (rebuilt from a finished pod the cluster still lists). */
  addClosed(h: Holding & { readonly end: number }): void {
    if (this.hasClosed(h.uid, h.start)) return;
    this.keepClosed({ ...h, end: Math.max(h.start, h.end) });
  }

  /**
   * Drops closed holdings that ended more than RETENTION_MS before `now` (from the first closed on: a holding
   * rebuilt after a restart may outlive its retention until those closed before it go), and the first closed
   * beyond `maxClosed`.
   */
  prune(now: number): void {
    const live = this.closed.length - this.closedHead;
    let drop = Math.max(0, live - this.maxClosed);
    while (this.closedHead < this.closed.length) {
      const h = this.closed[this.closedHead] as Holding;
      if (drop === 0 && (h.end ?? now) >= now - RETENTION_MS) break;
      this.forgetClosed(h);
      this.closedHead += 1;
      if (drop > 0) drop -= 1;
    }
    if (this.closedHead > 1024 && this.closedHead * 2 > this.closed.length) {
      this.closed = this.closed.slice(this.closedHead);
      this.closedHead = 0;
    }
  }

  /** The earliest start of any holding kept, or null when the ledger is empty: hours before it are not known. */
  earliestStart(): number | null {
    let min: number | null = null;
    for (const h of this.all()) if (min === null || h.start < min) min = h.start;
    return min;
  }

  /**
   * GPU-hours and cost inside [from, to), counted up to `now` (the future holds nothing yet), grouped by namespace
   * or by pod. Rows are sorted by cost, then GPU-hours, then name.
   */
  report(from: number, to: number, now: number, by: ShowbackGrouping): { rows: ShowbackRow[]; total: ShowbackTotals } {
    const rows = new Map<string, MutableRow>();
    const total = { gpuHours: 0, cost: 0, unpricedGpuHours: 0, gpuEquivalentsNow: 0 };
    const until = Math.min(to, now);
    for (const h of this.all()) {
      const end = h.end ?? now;
      const overlap = Math.max(0, Math.min(end, until) - Math.max(h.start, from));
      const heldNow = h.end === null && h.start <= now ? h.gpuEquivalents : 0;
      const nowInWindow = now >= from && now <= to;
      if (overlap === 0 && (heldNow === 0 || !nowInWindow)) continue;
      const key = by === 'namespace' ? h.namespace : h.uid;
      let row = rows.get(key);
      if (row === undefined) {
        row = by === 'namespace'
          ? { namespace: h.namespace, gpuHours: 0, cost: 0, unpricedGpuHours: 0, gpuEquivalentsNow: 0 }
          : { namespace: h.namespace, pod: h.name, uid: h.uid, node: h.node, gpuHours: 0, cost: 0, unpricedGpuHours: 0, gpuEquivalentsNow: 0 };
        rows.set(key, row);
      }
      const gpuHours = (h.gpuEquivalents * overlap) / HOUR_MS;
      row.gpuHours += gpuHours;
      total.gpuHours += gpuHours;
      if (h.gpuHourlyPrice === null) {
        row.unpricedGpuHours += gpuHours;
        total.unpricedGpuHours += gpuHours;
      } else {
        row.cost += gpuHours * h.gpuHourlyPrice;
        total.cost += gpuHours * h.gpuHourlyPrice;
      }
      if (nowInWindow) {
        row.gpuEquivalentsNow += heldNow;
        total.gpuEquivalentsNow += heldNow;
      }
      if (by === 'pod' && h.end === null) row.node = h.node;
    }
    const sorted = [...rows.values()].sort((a, b) => b.cost - a.cost || b.gpuHours - a.gpuHours
      || a.namespace.localeCompare(b.namespace) || (a.pod ?? '').localeCompare(b.pod ?? '') || (a.uid ?? '').localeCompare(b.uid ?? ''));
    return { rows: sorted, total };
  }

  /**
   * Mean cost per hour of each namespace in buckets of `step` ms from `from` up to `to` (the bucket holding `now`
   * is averaged over its elapsed part). The `top` namespaces by cost are kept, the rest summed as `(other)`.
   */
  costSeries(from: number, to: number, step: number, now: number, top: number): CostSeries {
    const count = Math.max(1, Math.ceil((to - from) / step));
    const times = Array.from({ length: count }, (_, b) => from + b * step);
    const until = Math.min(to, now);
    const perNamespace = new Map<string, Float64Array>();
    for (const h of this.all()) {
      if (h.gpuHourlyPrice === null) continue;
      const s = Math.max(h.start, from);
      const e = Math.min(h.end ?? now, until);
      if (e <= s) continue;
      let cost = perNamespace.get(h.namespace);
      if (cost === undefined) {
        cost = new Float64Array(count);
        perNamespace.set(h.namespace, cost);
      }
      const perHour = h.gpuEquivalents * h.gpuHourlyPrice;
      for (let b = Math.floor((s - from) / step); b < count; b += 1) {
        const bs = from + b * step;
        if (bs >= e) break;
        const overlap = Math.min(e, bs + step) - Math.max(s, bs);
        if (overlap > 0) cost[b] = (cost[b] ?? 0) + (overlap / HOUR_MS) * perHour;
      }
    }
    // Cost accrued in a bucket over the hours of it that have passed: a mean rate per hour.
    const hours = times.map((bs) => Math.max(0, Math.min(bs + step, until) - bs) / HOUR_MS);
    const ranked = [...perNamespace].map(([ns, c]) => ({ ns, c, sum: c.reduce((a, x) => a + x, 0) }))
      .sort((a, b) => b.sum - a.sum || a.ns.localeCompare(b.ns));
    const kept = ranked.length > top ? ranked.slice(0, Math.max(0, top - 1)) : ranked;
    const rest = ranked.slice(kept.length);
    const series = kept.map((r) => ({ ns: r.ns, c: r.c }));
    if (rest.length > 0) {
      const other = new Float64Array(count);
      for (const r of rest) for (let b = 0; b < count; b += 1) other[b] = (other[b] ?? 0) + (r.c[b] ?? 0);
      series.push({ ns: OTHER_NAMESPACES, c: other });
    }
    return {
      times,
      namespaces: series.map((s) => s.ns),
      values: series.map((s) => Array.from(s.c, (x, b) => ((hours[b] ?? 0) > 0 ? x / (hours[b] as number) : 0))),
    };
  }

  private *all(): IterableIterator<Holding> {
    yield* this.openByUid.values();
    for (let i = this.closedHead; i < this.closed.length; i += 1) yield this.closed[i] as Holding;
  }

  private keepClosed(h: Holding): void {
    this.closed.push(h);
    const list = this.closedByUid.get(h.uid);
    if (list === undefined) this.closedByUid.set(h.uid, [h]);
    else list.push(h);
    this.changes += 1;
  }

  private forgetClosed(h: Holding): void {
    const list = this.closedByUid.get(h.uid);
    if (list === undefined) return;
    const rest = list.filter((x) => x !== h);
    if (rest.length === 0) this.closedByUid.delete(h.uid);
    else this.closedByUid.set(h.uid, rest);
    this.changes += 1;
  }
}
