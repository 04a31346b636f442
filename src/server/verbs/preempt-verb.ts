import type { PodObject } from '../../cluster/cache/cluster-source.js';
import { parseGpuRequest, type PodLike } from '../../model/parse-gpu-request.js';
import { podRef, type ExtenderContext } from '../extender-context.js';
import type { ExtenderPreemptionArgs, ExtenderPreemptionResult } from '../wire-schemas.js';

/**
 * Preempt: of the candidate nodes kube-scheduler sends (with its own in-tree victims, or none at all as
 * kube-scheduler versions with PR #135486 send for nodes it found no victim on), answers the one node where
 * evicting costs least, with Tessera's victims there: the fewest lowest-priority pods (strictly below the
 * preemptor, PodDisruptionBudget-free sets first) whose removal frees the devices the pod needs, highest priority
 * first. Never an empty victim list (kube-scheduler 1.35 rejects one). Pods that may not preempt
 * (`preemptionPolicy: Never`, job-group members), or for which no node helps, get an empty map. The victims'
 * devices are then held for the pod (see PreemptionCoordinator). Always answers NodeNameToMetaVictims (UIDs).
 */
export function preemptPod(ctx: ExtenderContext, args: ExtenderPreemptionArgs): ExtenderPreemptionResult {
  return ctx.traced('preempt pod', (span) => {
    const out: ExtenderPreemptionResult = { NodeNameToMetaVictims: {} };
    const parsed = parseGpuRequest(args.Pod as PodLike);
    if (!parsed.ok) return out;
    const nodes = Object.keys(args.NodeNameToMetaVictims ?? args.NodeNameToVictims ?? {});
    const answer = ctx.preemption.answer(args.Pod as PodObject, podRef(args.Pod), parsed.value, nodes);
    if (answer === null) return out;
    out.NodeNameToMetaVictims[answer.node] = { Pods: answer.victims.map((UID) => ({ UID })), NumPDBViolations: answer.pdbViolations };
    ctx.deps.metrics.preemptionVictims.inc(answer.victims.length);
    span.setAttribute('tessera.victims', answer.victims.length);
    span.setAttribute('tessera.node', answer.node);
    return out;
  });
}
