import type { CycleState } from '../../algorithm/cycle-state.js';
import { evaluateNode } from '../../algorithm/evaluate-node.js';
import { extenderScores, nodeRank, nodeTieKey } from '../../algorithm/node-rank.js';
import type { NodeState } from '../../algorithm/node-state.js';
import type { FeasibleNodes } from '../evaluation-cache.js';
import type { Candidate, ExtenderContext } from '../extender-context.js';
import type { NameCandidates } from '../name-candidates.js';
import { PASS, STALE } from '../standing-answers.js';
import type { ExtenderArgs, HostPriority, WirePod } from '../wire-schemas.js';
import { candidateList } from './filter-verb.js';

/**
 * Names-only prioritize: the extender score (0..10) per candidate, in request order, from the standing answers
 * (kept current by filter's pass and the change journal: usually a read per name).
 */
export function prioritizeNames(ctx: ExtenderContext, pod: WirePod, candidates: NameCandidates): Uint8Array {
  return ctx.traced('prioritize nodes', (span) => {
    const count = candidates.count;
    span.setAttribute('tessera.candidates', count);
    const scores = new Uint8Array(count);
    const ev = ctx.evaluate(pod);
    if (!ev.ok) return scores;
    const { cycle, snapshot } = ev.evaluation;
    const table = ctx.tableFor(ev.evaluation);
    const ids = candidates.ids;
    const { ranks, tieKeys } = ctx.scratch(count);
    let reused = 0;
    for (let i = 0; i < count; i += 1) {
      ranks[i] = NaN;
      let id = ids[i] as number;
      if (id < 0) id = ids[i] = ctx.learn(candidates.name(i), snapshot, table);
      if (id < 0) continue;
      let code = table.code[id] as number;
      if (code === STALE) {
        const state = snapshot.nodes.get(ctx.names.name(id));
        if (state === undefined) continue;
        code = table.judge(id, state, cycle);
      } else {
        reused += 1;
      }
      if (code === PASS) {
        ranks[i] = table.rank[id] as number;
        tieKeys[i] = ctx.names.tieKey(id);
      }
    }
    extenderScores(ranks, tieKeys, count, scores);
    span.setAttribute('tessera.scores_reused', reused);
    return scores;
  });
}

/**
 * Prioritize with full Node objects: 0..10 per candidate (node-rank.ts `extenderScores`); infeasible or unknown
 * nodes get 0. A node that passed filter for this pod in this very snapshot is ranked as filter ranked it;
 * anything else is evaluated now.
 */
export function prioritizeFullNodes(ctx: ExtenderContext, args: ExtenderArgs): HostPriority[] {
  return ctx.traced('prioritize nodes', (span) => {
    const candidates = candidateList(args);
    const count = candidates.length;
    span.setAttribute('tessera.candidates', count);
    const out: HostPriority[] = new Array(count);
    const ev = ctx.evaluate(args.Pod);
    if (!ev.ok) {
      for (let i = 0; i < count; i += 1) out[i] = { Host: (candidates[i] as Candidate).name, Score: 0 };
      return out;
    }
    const { cycle, feasible, snapshot } = ev.evaluation;
    const kept = feasible.names;
    const { ranks, tieKeys } = ctx.scratch(count);
    let reused = 0;
    for (let i = 0; i < count; i += 1) {
      const { name, node: object } = candidates[i] as Candidate;
      let at = i < kept.length && kept[i] === name ? i : -1;
      if (at === -1 && kept.length > 0) at = indexOf(feasible, name);
      const r = ctx.resolve(name, object, snapshot);
      let rank = NaN;
      // The state comes from the body: reuse filter's rank only for the very state filter judged.
      if (r.ok && at !== -1 && r.state === feasible.states[at]) {
        rank = feasible.ranks[at] as number;
        reused += 1;
      } else if (r.ok) {
        rank = rankNow(r.state, cycle);
      }
      ranks[i] = rank;
      tieKeys[i] = nodeTieKey(name);
    }
    const scores = extenderScores(ranks, tieKeys, count, new Uint8Array(count));
    for (let i = 0; i < count; i += 1) out[i] = { Host: (candidates[i] as Candidate).name, Score: scores[i] as number };
    span.setAttribute('tessera.scores_reused', reused);
    return out;
  });
}

/** Index of `name` in filter's answer (the name index is built once, on first need), or -1. */
function indexOf(feasible: FeasibleNodes, name: string): number {
  let index = feasible.index;
  if (index === null) {
    index = new Map();
    feasible.names.forEach((n, i) => index?.set(n, i));
    feasible.index = index;
  }
  return index.get(name) ?? -1;
}

/** The node rank of `state` for the cycle's pod now; NaN when it does not fit. */
function rankNow(state: NodeState, cycle: CycleState): number {
  const e = evaluateNode(state, cycle);
  return e.status.code === 'success' ? nodeRank(state, cycle, e) : NaN;
}
