import type { ExtenderContext } from '../extender-context.js';
import { REPEATED, type NamesFilterAnswer } from '../names-filter-answer.js';
import { hasSoftPreferences } from '../soft-preferences.js';
import { PASS } from '../standing-answers.js';
import type { WirePod } from '../wire-schemas.js';

/**
 * `filterAnswer: choice`: narrows a names-only filter answer to the node Tessera would score 10 (the best rank,
 * equal ranks broken by the node's tie key, exactly as prioritize picks its one 10), leaving every other
 * candidate out of the answer. With a single feasible node kube-scheduler skips scoring and the prioritize call
 * (`schedulePod`: "When only one node after predicate, just use it"), which at thousands of nodes is most of a
 * scheduling cycle. The node is the one deploy/'s extender weight already makes kube-scheduler choose, unless the
 * pod's own preferences count: a pod with soft preferences (see `hasSoftPreferences`), an answer with an error
 * or with at most one feasible node is returned as it is.
 */
export function narrowToChoice(ctx: ExtenderContext, pod: WirePod, answer: NamesFilterAnswer): NamesFilterAnswer {
  if (answer.error !== '' || answer.passed <= 1 || hasSoftPreferences(pod)) return answer;
  const ev = ctx.evaluate(pod);
  if (!ev.ok) return answer;
  const table = ctx.tableFor(ev.evaluation);
  const { candidates, outcome } = answer;
  let chosen = -1;
  let bestRank = -Infinity;
  let bestKey = Infinity;
  for (let i = 0; i < candidates.count; i += 1) {
    if (outcome[i] !== PASS) continue;
    const id = candidates.ids[i] as number;
    const rank = table.rank[id] as number;
    const key = ctx.names.tieKey(id);
    if (rank > bestRank || (rank === bestRank && key < bestKey)) {
      chosen = i;
      bestRank = rank;
      bestKey = key;
    }
  }
  if (chosen === -1) return answer;
  const narrowed = new Uint8Array(candidates.count).fill(REPEATED);
  narrowed[chosen] = PASS;
  return { candidates, error: '', outcome: narrowed, reasons: answer.reasons, passed: 1 };
}
