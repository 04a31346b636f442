/** Link matrices kept before the remainder memo starts afresh. */
const MAX_LINK_MATRICES = 1000;
/** Remainder values kept per link matrix before its memo starts afresh. */
const MAX_REMAINDERS = 70_000;
/** Best-set results kept before the set memo starts afresh. */
const MAX_SETS = 100_000;

/**
 * Results of the GPU set searches (gpu-sets.ts: `bestGpuSet`, `remainderValue`). They depend on a node's link
 * matrix and masks only, never on the options or the workload, so one memo can outlive an EvaluationMemo (the
 * PlacementEngine hands it on when the options change). Owned by the caller; bounded: each table starts afresh
 * when full (results stay correct).
 */
export class GpuSetMemo {
  private readonly sets = new Map<string, number>();
  private readonly remainders = new Map<string, Map<number, number>>();

  /** The best set remembered for `key` (see bestGpuSet), or undefined. */
  bestSet(key: string): number | undefined {
    return this.sets.get(key);
  }

  /** Remembers the best set for `key`. */
  keepBestSet(key: string, mask: number): void {
    if (this.sets.size > MAX_SETS) this.sets.clear();
    this.sets.set(key, mask);
  }

  /** Remainder values by free mask for one link matrix (`linkKey`); the caller adds with `keepRemainder`. */
  remaindersOf(linkKey: string): Map<number, number> {
    let m = this.remainders.get(linkKey);
    if (m === undefined) {
      if (this.remainders.size > MAX_LINK_MATRICES) this.remainders.clear();
      m = new Map();
      this.remainders.set(linkKey, m);
    }
    return m;
  }

  /** Adds one remainder value to `table` (from remaindersOf), keeping it bounded. */
  keepRemainder(table: Map<number, number>, mask: number, value: number): void {
    if (table.size > MAX_REMAINDERS) table.clear();
    table.set(mask, value);
  }
}
