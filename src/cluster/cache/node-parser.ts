import type { NodeInventory } from '../../model/node-inventory.js';
import type { ParseResult } from '../../model/parse-result.js';
import type { NodeObject } from './cluster-source.js';

/** Reads one node's inventory from its labels, annotations and allocatable (wraps `inventoryFromNode`). */
export type ParseNode = (node: NodeObject) => ParseResult<NodeInventory>;

/** A memoizing node parser shared by the cluster cache and full-node extender requests. */
export interface NodeParser {
  /**
   * Parses `node`, reusing the previous result (the same object) while name and resourceVersion are unchanged.
   * Nodes without a resourceVersion are parsed every time.
   */
  parse(node: NodeObject): ParseResult<NodeInventory>;
  /** Memoized entries (one per node name). */
  readonly size: number;
}

/** Entries kept before the memo is cleared (bounds memory when bodies carry made-up names). */
const MAX_ENTRIES = 200_000;

/** Wraps `parse` with a memo keyed by node name + resourceVersion, so a 5,000-node body parses only changes. */
export function createNodeParser(parse: ParseNode): NodeParser {
  const memo = new Map<string, { rv: string; result: ParseResult<NodeInventory> }>();
  return {
    parse(node) {
      const name = node.metadata?.name;
      const rv = node.metadata?.resourceVersion;
      if (typeof name !== 'string' || typeof rv !== 'string' || rv === '') return parse(node);
      const hit = memo.get(name);
      if (hit !== undefined && hit.rv === rv) return hit.result;
      const result = parse(node);
      if (memo.size >= MAX_ENTRIES) memo.clear();
      memo.set(name, { rv, result });
      return result;
    },
    get size() {
      return memo.size;
    },
  };
}
