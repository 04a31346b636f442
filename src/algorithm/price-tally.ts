import type { PriceRange } from './snapshot.js';

/**
 * Counts nodes per distinct price per GPU so an owner of a changing fleet (the cluster cache) can keep
 * `Snapshot.priceRange` current in O(distinct prices) per change instead of rescanning every node.
 * Mutable by design: it lives in the adapter that owns the fleet, never in a snapshot.
 */
export class PriceTally {
  private readonly counts = new Map<number, number>();
  private cached: PriceRange | null | undefined = undefined;

  /** Records a node's price per GPU (null = unpriced, ignored). */
  add(price: number | null): void {
    if (price === null) return;
    this.counts.set(price, (this.counts.get(price) ?? 0) + 1);
    this.cached = undefined;
  }

  /** Forgets a node's price per GPU recorded by `add`. */
  remove(price: number | null): void {
    if (price === null) return;
    const n = this.counts.get(price) ?? 0;
    if (n <= 1) this.counts.delete(price);
    else this.counts.set(price, n - 1);
    this.cached = undefined;
  }

  /** The current range, or null when no recorded node has a price. */
  range(): PriceRange | null {
    if (this.cached !== undefined) return this.cached;
    let min = Infinity;
    let max = -Infinity;
    for (const p of this.counts.keys()) {
      if (p < min) min = p;
      if (p > max) max = p;
    }
    this.cached = min === Infinity ? null : { min, max };
    return this.cached;
  }
}
