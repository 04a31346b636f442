import type { Allocation } from '../model/allocation.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState, NodeEvaluation } from './cycle-state.js';
import type { NodeState } from './node-state.js';
import { prefilter } from './cycle-state.js';
import { devicesFor, evaluateNode, quickReject } from './evaluate-node.js';
import { EvaluationMemo } from './evaluation-memo.js';
import type { SchedulingOptions } from './scheduling-options.js';
import { nodeTieKey, rankFromRaw } from './node-rank.js';
import { rawScoreAtLeast, scoreParts } from './score.js';
import type { Snapshot } from './snapshot.js';
import type { Status } from './status.js';

/** The outcome of scheduling one pod over a snapshot. */
export type ScheduleResult =
  | {
    readonly ok: true;
    readonly node: string;
    readonly allocation: Allocation;
    readonly score: number;
    readonly parts: Record<string, number>;
    /** Nodes that could take the pod. */
    readonly feasibleNodes: number;
  }
  | {
    readonly ok: false;
    /** Why each node was rejected. */
    readonly reasons: ReadonlyMap<string, Status>;
  };

/**
 * Filters every node, ranks the feasible ones and places the pod on the best, by the one rule the extender and
 * the replay use (node-rank.ts: the integer score, then best fit; equal ranks go to the lowest `nodeTieKey`, the
 * node the extender would give its one 10, whatever the map order). The reported score is the rounded 0..100
 * integer. Most nodes are rejected from precomputed summaries in O(1); per-node reasons are built only when no
 * node fits. Convenience for tests and the benchmark. Without `cycle` it prefilters with a fresh EvaluationMemo
 * (nothing carried over from earlier calls).
 */
export function scheduleOne(req: GpuRequest, snapshot: Snapshot, options: SchedulingOptions, cycle?: CycleState): ScheduleResult {
  const c = cycle ?? prefilter(req, snapshot, options, new EvaluationMemo(options));
  let bestName: string | null = null; let bestRank = -1; let bestScore = -1; let bestTie = Infinity; let feasible = 0;
  let bestParts: Record<string, number> = {};
  let bestDevices: NodeEvaluation['devices'] = null;
  let bestNode: NodeState | null = null;
  let bestEval: NodeEvaluation | null = null;
  for (const node of snapshot.nodes.values()) {
    if (quickReject(node, c)) continue;
    const e = evaluateNode(node, c);
    if (e.devices === null) continue;
    feasible += 1;
    // A rank is the rounded score plus at most 0.5: a raw score below bestRank - 1 cannot reach bestRank.
    const raw = rawScoreAtLeast(node, c, e, bestRank - 1);
    if (raw < 0) continue;
    const rank = rankFromRaw(raw, node, e);
    if (rank < bestRank) continue;
    const name = node.inventory.name;
    const tie = nodeTieKey(name);
    if (rank > bestRank || tie < bestTie) {
      bestRank = rank; bestScore = raw; bestTie = tie; bestName = name; bestDevices = e.devices; bestNode = node; bestEval = e;
    }
  }
  if (bestNode !== null && bestEval !== null) bestParts = scoreParts(bestNode, c, bestEval);
  if (bestName === null || bestDevices === null || bestNode === null) {
    const reasons = new Map<string, Status>();
    for (const [name, node] of snapshot.nodes) reasons.set(name, evaluateNode(node, c).status);
    return { ok: false, reasons };
  }
  return {
    ok: true, node: bestName, score: Math.round(bestScore), parts: bestParts, feasibleNodes: feasible,
    allocation: { node: bestName, devices: devicesFor(bestNode, bestDevices), cpuMilli: req.cpuMilli, memoryMiB: req.hostMemoryMiB },
  };
}
