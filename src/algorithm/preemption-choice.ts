import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState } from './cycle-state.js';
import { cycleFor } from './cycle-state.js';
import { evaluateNode } from './evaluate-node.js';
import type { NodeState } from './node-state.js';
import { nodeRank } from './node-rank.js';
import type { RunningPod, VictimChoice } from './preempt.js';
import { compareVictimCost, selectVictims, VICTIM_SEARCH_BUDGET } from './preempt.js';
import { unreserve } from './reserve.js';

/** Trial placements one choosePreemption call may spend on exact searches, over all its candidates. */
export const TOTAL_SEARCH_BUDGET = 40_000;

/** One node preemption may use, with the pods running on it. */
export interface PreemptionCandidate {
  readonly state: NodeState;
  readonly pods: readonly RunningPod[];
}

/** The node where evicting costs least, its victims and the pod's place there. */
export interface PreemptionChoice extends VictimChoice {
  readonly node: string;
}

/**
 * Where preemption should happen for `req`: over `candidates`, the node whose cheapest victim set
 * (selectVictims) costs least (compareVictimCost: PDB violations, count, highest priority, priority sum); among
 * equal costs the node Tessera ranks best for the pod once the victims are gone, then the node name. Null when
 * no candidate can be freed. Pure; `cycle` must have been prefiltered for `req` (or an equal request).
 *
 * The exact searches of all nodes share `totalBudget` trial placements (each node at most VICTIM_SEARCH_BUDGET),
 * so one call stays bounded however many candidates kube-scheduler sends (bench/preempt-latency.ts).
 */
export function choosePreemption(req: GpuRequest, candidates: readonly PreemptionCandidate[], cycle: CycleState, totalBudget = TOTAL_SEARCH_BUDGET): PreemptionChoice | null {
  const c = cycleFor(req, cycle);
  const budget = Math.max(1, Math.min(VICTIM_SEARCH_BUDGET, Math.floor(totalBudget / Math.max(1, candidates.length))));
  let best: { choice: PreemptionChoice; rank: number } | null = null;
  for (const { state, pods } of candidates) {
    const choice = selectVictims(req, state, pods, c, budget);
    if (choice === null || choice.victims.length === 0) continue;
    if (best !== null) {
      const byCost = compareVictimCost(choice.cost, best.choice.cost);
      if (byCost > 0) continue;
      if (byCost === 0) {
        const rank = rankAfter(state, pods, choice, c);
        if (rank < best.rank || (rank === best.rank && state.inventory.name > best.choice.node)) continue;
        best = { choice: { ...choice, node: state.inventory.name }, rank };
        continue;
      }
    }
    best = { choice: { ...choice, node: state.inventory.name }, rank: rankAfter(state, pods, choice, c) };
  }
  return best?.choice ?? null;
}

/** Tessera's rank of the node for the pod once `choice`'s victims are gone (NaN-free: -1 when it would not fit). */
function rankAfter(state: NodeState, pods: readonly RunningPod[], choice: VictimChoice, cycle: CycleState): number {
  let s = state;
  const victims = new Set(choice.victims);
  for (const p of pods) if (victims.has(p.uid)) s = unreserve(s, p.allocation);
  const e = evaluateNode(s, cycle);
  return e.status.code === 'success' ? nodeRank(s, cycle, e) : -1;
}
