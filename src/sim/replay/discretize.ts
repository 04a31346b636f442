/** Arrival percents on the x-axis, 0..130. */
export const ARRIVAL_PERCENTS = Array.from({ length: 131 }, (_, i) => i);

/** Python 3 `round(x, 0)`: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Python `round(x, 2)` on a float, close enough for logging (half to even at exact halves). */
export function round2(x: number): number {
  return roundHalfEven(x * 100) / 100;
}

/**
 * Allocation ratio (%) by integer arrival percent, as `merge_alloc_discrete.py` computes it: per pod,
 * `arrive = round(arrived/total_gpus/10)` and `alloc = round(used/total_gpus/10, 2)`; for each x in 0..130 the
 * mean alloc over pods with arrive == x, else over pods with x−1 ≤ arrive ≤ x+1, rounded to 2 places;
 * NaN when there is none.
 */
export function allocationCurve(arrivedMilli: Float64Array, usedMilli: Float64Array, capacityMilli: number): number[] {
  const totalGpus = capacityMilli / 1000;
  const sum = new Float64Array(133);
  const cnt = new Float64Array(133);
  for (let k = 0; k < arrivedMilli.length; k++) {
    const a = roundHalfEven(arrivedMilli[k]! / totalGpus / 10);
    if (a < 0 || a > 132) continue;
    sum[a]! += round2(usedMilli[k]! / totalGpus / 10);
    cnt[a]! += 1;
  }
  return ARRIVAL_PERCENTS.map((x) => {
    if (cnt[x]! > 0) return round2(sum[x]! / cnt[x]!);
    let s = 0, c = 0;
    for (let y = Math.max(0, x - 1); y <= x + 1; y++) { s += sum[y]!; c += cnt[y]!; }
    return c > 0 ? round2(s / c) : Number.NaN;
  });
}
