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

/**
 * Counts GPUs per product over a changing fleet so its owner can keep `Snapshot.gpuCapacity` current in
 * O(GPUs of the changed node) per change. `capacity()` returns the same Map object until the counts change.
 */
export class GpuCapacityTally {
  private readonly counts = new Map<string, number>();
  private cached: ReadonlyMap<string, number> | undefined = undefined;

  /** Records the GPUs of one node (`products`: one entry per GPU). */
  add(products: readonly string[]): void {
    for (const p of products) this.counts.set(p, (this.counts.get(p) ?? 0) + 1);
    if (products.length > 0) this.cached = undefined;
  }

  /** Forgets the GPUs recorded by `add`. */
  remove(products: readonly string[]): void {
    for (const p of products) {
      const n = this.counts.get(p) ?? 0;
      if (n <= 1) this.counts.delete(p);
      else this.counts.set(p, n - 1);
    }
    if (products.length > 0) this.cached = undefined;
  }

  /** GPUs per product now. */
  capacity(): ReadonlyMap<string, number> {
    this.cached ??= new Map(this.counts);
    return this.cached;
  }
}
