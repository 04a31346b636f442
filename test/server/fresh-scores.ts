import type { CycleState } from '../../src/algorithm/cycle-state.js';
import { evaluateNode } from '../../src/algorithm/evaluate-node.js';
import { extenderScores, nodeRank, nodeTieKey } from '../../src/algorithm/node-rank.js';
import type { Snapshot } from '../../src/algorithm/snapshot.js';

/**
 * The extender scores (0..10) of `names` judged afresh with the core: each candidate's node rank, then the one
 * top score per request (`extenderScores`), 0 for names the pod does not fit or that are no node. The oracle
 * the service's kept answers must equal.
 */
export function freshExtenderScores(cycle: CycleState, snapshot: Snapshot, names: readonly string[]): number[] {
  const ranks = new Float64Array(names.length);
  const ties = new Float64Array(names.length);
  names.forEach((name, i) => {
    const state = snapshot.nodes.get(name);
    const e = state === undefined ? null : evaluateNode(state, cycle);
    ranks[i] = state !== undefined && e !== null && e.status.code === 'success' ? nodeRank(state, cycle, e) : NaN;
    ties[i] = nodeTieKey(name);
  });
  return [...extenderScores(ranks, ties, names.length, new Uint8Array(names.length))];
}
