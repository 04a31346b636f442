import type { PresetCatalog } from './topology-preset.js';

/** Entries kept per table before it starts afresh (a fleet has a handful of distinct labels and texts). */
const MAX_ENTRIES = 4096;

/**
 * Memos of `inventoryFromNode`'s pure steps, so that 5,000 identical nodes share one result: parsed texts and
 * layout searches by input (MIG configs, sharing and taint annotations, topology matrices), canonical products
 * by GFD label, and inferred topologies per preset catalog. Owned by the caller through `InventoryContext.memo`
 * (createModelParsers makes one per server); results are immutable, so sharing them across nodes is safe.
 * Bounded: each table starts afresh when full.
 */
export class InventoryParseMemo {
  private readonly parsed = new Map<string, unknown>();
  private readonly products = new Map<string, unknown>();
  private readonly inferred = new WeakMap<PresetCatalog, Map<string, unknown>>();

  /** The result of a parse or layout search, computed on first use of `key`. */
  parse<T>(key: string, compute: () => T): T {
    return remember(this.parsed, key, compute);
  }

  /** The canonical product of a GFD product label, computed on first use of `label`. */
  product<T>(label: string, compute: () => T): T {
    return remember(this.products, label, compute);
  }

  /** An inferred topology of `catalog`, computed on first use of `key`. */
  inferredTopology<T>(catalog: PresetCatalog, key: string, compute: () => T): T {
    let table = this.inferred.get(catalog);
    if (table === undefined) {
      table = new Map();
      this.inferred.set(catalog, table);
    }
    return remember(table, key, compute);
  }
}

/** `table[key]`, computed and kept when absent (undefined and null results are kept too). */
function remember<T>(table: Map<string, unknown>, key: string, compute: () => T): T {
  if (table.has(key)) return table.get(key) as T;
  const v = compute();
  if (table.size >= MAX_ENTRIES) table.clear();
  table.set(key, v);
  return v;
}
