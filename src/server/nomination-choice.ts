import { placeOnNode } from '../algorithm/place.js';
import type { Allocation } from '../model/allocation.js';
import { formatAllocationAnnotation } from '../model/allocation-annotation.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { ExtenderContext } from './extender-context.js';
import { PASS, STALE } from './standing-answers.js';
import type { WirePod } from './wire-schemas.js';

/** Where a pending pod would go now, and the exact devices it would get there. */
export interface Nomination {
  readonly node: string;
  readonly allocation: Allocation;
  readonly annotation: string;
  readonly request: GpuRequest;
}

/**
 * The node Tessera would choose for `pod` among every node of the cache (ids `nodeIds` of the name index), by the
 * rule prioritize applies to kube-scheduler's candidates: best node rank, equal ranks broken by the tie key;
 * read from the standing answers of the pod's request shape. Null when the pod's request is invalid or it fits
 * nowhere.
 */
export function chooseNomination(ctx: ExtenderContext, pod: WirePod, nodeIds: Int32Array): Nomination | null {
  const ev = ctx.evaluate(pod);
  if (!ev.ok) return null;
  const { cycle, snapshot, request } = ev.evaluation;
  const table = ctx.tableFor(ev.evaluation);
  table.fit(ctx.names.size);
  let best = -1;
  let bestRank = -Infinity;
  let bestKey = Infinity;
  // Read once: judge() writes into these arrays but never replaces them (fit() above already sized them).
  const codes = table.code;
  const ranks = table.rank;
  const names = ctx.names;
  for (let k = 0; k < nodeIds.length; k += 1) {
    const id = nodeIds[k] as number;
    let code = codes[id] as number;
    if (code === STALE) {
      const state = snapshot.nodes.get(names.name(id));
      if (state === undefined) continue;
      code = table.judge(id, state, cycle);
    }
    if (code !== PASS) continue;
    const rank = ranks[id] as number;
    if (!(rank >= bestRank)) continue; // also skips NaN
    // The tie key is read only on a tie: most nodes rank below the best so far.
    if (rank > bestRank) {
      best = id;
      bestRank = rank;
      bestKey = names.tieKey(id);
      continue;
    }
    const key = names.tieKey(id);
    if (key < bestKey) {
      best = id;
      bestKey = key;
    }
  }
  if (best === -1) return null;
  const node = ctx.names.name(best);
  const state = snapshot.nodes.get(node);
  if (state === undefined) return null;
  const placed = placeOnNode(request, state, cycle);
  if (placed.status.code !== 'success' || placed.allocation === null) return null;
  return { node, allocation: placed.allocation, annotation: formatAllocationAnnotation(placed.allocation, state.inventory), request };
}
