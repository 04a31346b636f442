import { selectVictims } from '../../algorithm/preempt.js';
import { parseGpuRequest, type PodLike } from '../../model/parse-gpu-request.js';
import type { ExtenderContext } from '../extender-context.js';
import type { ExtenderPreemptionArgs, ExtenderPreemptionResult, MetaVictimsResult } from '../wire-schemas.js';

/**
 * Preempt: for each candidate node, the fewest lowest-priority pods (strictly below the preemptor) whose
 * removal frees the devices the pod needs (fractional: partial GPUs count). Nodes where no set of victims
 * helps, or where the pod already fits, are dropped. Always answers NodeNameToMetaVictims (UIDs).
 */
export function preemptPod(ctx: ExtenderContext, args: ExtenderPreemptionArgs): ExtenderPreemptionResult {
  return ctx.traced('preempt pod', (span) => {
    const out: ExtenderPreemptionResult = { NodeNameToMetaVictims: {} };
    const parsed = parseGpuRequest(args.Pod as PodLike);
    if (!parsed.ok) return out;
    const request = parsed.value;
    const proposed: Record<string, { NumPDBViolations?: number | null } | null> =
      args.NodeNameToMetaVictims ?? args.NodeNameToVictims ?? {};
    const snapshot = ctx.deps.cache.snapshot();
    const cycle = ctx.engine.prefilter(request, snapshot);
    let victimsTotal = 0;
    for (const name of Object.keys(proposed)) {
      const state = snapshot.nodes.get(name);
      if (state === undefined) continue;
      const pods = ctx.deps.cache.podsOn(name)
        .filter((p) => p.counted && p.allocation !== null && p.allocation.devices.length > 0 && p.priority < request.priority)
        .map((p) => ({ uid: p.uid, priority: p.priority, allocation: p.allocation as NonNullable<typeof p.allocation> }));
      if (pods.length === 0) continue;
      const chosen = selectVictims(request, state, pods, cycle);
      if (chosen === null || chosen.victims.length === 0) continue;
      const pdb = proposed[name]?.NumPDBViolations ?? 0;
      const victims: MetaVictimsResult = {
        Pods: chosen.victims.map((uid) => ({ UID: uid })),
        NumPDBViolations: Math.min(pdb, chosen.victims.length),
      };
      out.NodeNameToMetaVictims[name] = victims;
      victimsTotal += chosen.victims.length;
    }
    ctx.deps.metrics.preemptionVictims.inc(victimsTotal);
    span.setAttribute('tessera.victims', victimsTotal);
    return out;
  });
}
