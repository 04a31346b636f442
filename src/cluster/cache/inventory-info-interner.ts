import { inventoryInfo, inventoryInfoKey, type InventoryInfo } from '../../algorithm/inventory-info.js';
import { idleStateParts, makeNodeState, type IdleStateParts, type NodeState } from '../../algorithm/node-state.js';
import type { NodeInventory } from '../../model/node-inventory.js';

/** Distinct structures kept; past it the table starts over (a fleet has a handful of board models). */
const MAX_STRUCTURES = 1024;

interface Structure {
  readonly info: InventoryInfo;
  readonly idle: IdleStateParts;
}

/**
 * One InventoryInfo, and one set of idle per-GPU parts (usage, idle units, GPU keys, signature), per distinct
 * node structure (inventoryInfoKey), shared by every node of that structure: the link matrices, pair scores and
 * masks of 20,000 nodes of five board models are five objects, not 20,000 (about 2.4 KB a node), and an idle node
 * adds no per-GPU arrays of its own (about 0.9 KB). Safe to share because none of them is written after it is
 * built (a reserve builds new usage), and equal keys give deep-equal values; a node whose inventory changes gets
 * the parts of its new key, never a changed shared one.
 */
export class InventoryInfoInterner {
  private readonly byKey = new Map<string, Structure>();

  /** The NodeState of `inventory` with nothing held, made of its structure's shared parts. */
  idleState(inventory: NodeInventory): NodeState {
    const key = inventoryInfoKey(inventory);
    const known = this.byKey.get(key);
    if (known !== undefined) return makeNodeState(inventory, undefined, known.info, known.idle);
    if (this.byKey.size >= MAX_STRUCTURES) this.byKey.clear();
    const state = makeNodeState(inventory, undefined, inventoryInfo(inventory));
    this.byKey.set(key, { info: state.info, idle: idleStateParts(state) });
    return state;
  }

  /** Distinct structures held now. */
  get size(): number {
    return this.byKey.size;
  }
}
