/**
 * An immutable ReadonlyMap made of a shared base map and a small overlay of changes (`undefined` = deleted).
 * The cluster cache publishes one per version, so a bind that changes one node makes a new snapshot in O(1)
 * instead of copying 5,000 entries. Neither map may be mutated once handed over.
 */
export class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly overlay: ReadonlyMap<K, V | undefined>,
    /** Entries visible through the overlay (base minus deletions plus additions). */
    readonly size: number,
  ) {}

  /** @inheritdoc */
  get(key: K): V | undefined {
    const o = this.overlay;
    if (o.size !== 0 && o.has(key)) return o.get(key);
    return this.base.get(key);
  }

  /** @inheritdoc */
  has(key: K): boolean {
    const o = this.overlay;
    if (o.size !== 0 && o.has(key)) return o.get(key) !== undefined;
    return this.base.has(key);
  }

  /** @inheritdoc */
  *entries(): MapIterator<[K, V]> {
    for (const entry of this.base) if (!this.overlay.has(entry[0])) yield entry;
    for (const [key, value] of this.overlay) if (value !== undefined) yield [key, value];
  }

  /** @inheritdoc */
  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  /** @inheritdoc */
  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  /** @inheritdoc */
  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) fn.call(thisArg, value, key, this);
  }

  /** @inheritdoc */
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
