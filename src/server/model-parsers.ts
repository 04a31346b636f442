import type { NodeObject } from '../cluster/cache/cluster-source.js';
import type { ParseNode } from '../cluster/cache/node-parser.js';
import { loadTopologyPresets } from '../io/load-topology-presets.js';
import type { Allocation } from '../model/allocation.js';
import { parseAllocationAnnotation } from '../model/allocation-annotation.js';
import { inventoryFromNode, type NodeLike } from '../model/inventory-from-node.js';
import { InventoryParseMemo } from '../model/inventory-parse-memo.js';
import type { NodeInventory } from '../model/node-inventory.js';
import type { ParseResult } from '../model/parse-result.js';
import { DEFAULT_PRICE_TABLE, type PriceTable } from '../model/price-table.js';
import type { PresetCatalog } from '../model/topology-preset.js';

/** The model's parsers bound to one preset catalog and price table, as the server needs them. */
export interface ModelParsers {
  readonly presets: PresetCatalog;
  readonly parseNode: ParseNode;
  readonly parseAllocation: (text: string, inventory: NodeInventory) => ParseResult<Allocation>;
}

/**
 * Loads the topology presets (`dir`, default `<repo>/topology/presets`; throws on a broken directory) and binds
 * `inventoryFromNode` and `parseAllocationAnnotation` for the cluster cache and full-node requests.
 */
export function createModelParsers(dir?: string, priceTable: PriceTable = DEFAULT_PRICE_TABLE): ModelParsers {
  const presets = loadTopologyPresets(dir);
  const ctx = { presets, priceTable, memo: new InventoryParseMemo() };
  return {
    presets,
    parseNode: (node: NodeObject) => inventoryFromNode(node as NodeLike, ctx),
    parseAllocation: parseAllocationAnnotation,
  };
}
