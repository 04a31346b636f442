import type { ExtenderContext } from '../extender-context.js';
import type { NameCandidates } from '../name-candidates.js';
import { REPEATED, type NamesFilterAnswer } from '../names-filter-answer.js';
import { PASS } from '../standing-answers.js';
import type { WirePod } from '../wire-schemas.js';

/**
 * Filter for a pod that holds a nomination (pod-nominator.ts): when its nominated node is among the candidates,
 * the answer is that node alone (the devices are held for this very pod, so it fits by construction; kube-scheduler
 * sends exactly that one name when it checks the nominated node first). When kube-scheduler's own filters dropped
 * the node, the nomination is given up (its devices freed) and null tells the caller to filter as usual.
 */
export function filterNominated(ctx: ExtenderContext, pod: WirePod, candidates: NameCandidates): NamesFilterAnswer | null {
  const uid = pod.metadata.uid;
  if (uid === undefined || uid === null || uid === '') return null;
  const { cache, metrics } = ctx.deps;
  const held = cache.pod(uid);
  if (held === undefined || held.phase !== 'nominated') return null;
  const id = ctx.names.idOf(held.node);
  let at = -1;
  for (let i = 0; i < candidates.count && at === -1; i += 1) {
    const c = candidates.ids[i] as number;
    if (c === id && id >= 0) at = i;
    else if (c < 0 && candidates.name(i) === held.node) at = i;
  }
  if (at === -1) {
    cache.forget(uid);
    metrics.nominations.inc({ result: 'dropped' });
    return null;
  }
  metrics.nominations.inc({ result: 'taken' });
  const outcome = new Uint8Array(candidates.count).fill(REPEATED);
  outcome[at] = PASS;
  return { candidates, error: '', outcome, reasons: new Array<string | undefined>(candidates.count).fill(undefined), passed: 1 };
}
