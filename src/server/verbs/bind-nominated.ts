import type { PodRef } from '../../cluster/cache/cluster-source.js';
import { ALLOCATION_ANNOTATION } from '../../model/allocation-annotation.js';
import { bindTargetMismatch } from '../bind-target-check.js';
import type { ExtenderContext } from '../extender-context.js';
import type { ExtenderBindingResult } from '../wire-schemas.js';

/**
 * Bind of a pod that holds a nomination (pod-nominator.ts). The pod bind names must be the cluster's pod, as for
 * any bind (bind-target-check.ts); a mismatch is refused and leaves the nomination alone. To its nominated node:
 * the held devices are the placement (no new choice, nothing to re-validate: the hold was made against the cache
 * and kept in it), so the hold becomes the bind's assumption and the binding carries its annotation. To any other
 * node: the nomination is given up and null tells the caller to bind as usual. Null as well for a pod without a
 * nomination.
 */
export async function bindNominated(ctx: ExtenderContext, ref: PodRef, node: string): Promise<ExtenderBindingResult | null> {
  const { cache, source, log } = ctx.deps;
  if (cache.pod(ref.uid)?.phase !== 'nominated') return null;
  const refused = await bindTargetMismatch(ref, ctx.deps.evaluations.get(ref.uid)?.pod, cache, source);
  if (refused !== null) return ctx.bindResult('error', `cannot bind pod "${ref.namespace}/${ref.name}": ${refused}`);
  // Looked at again after the await: the nomination may have expired or been given up meanwhile.
  const held = cache.pod(ref.uid);
  if (held === undefined || held.phase !== 'nominated') return null;
  if (held.node !== node || held.annotation === null || !cache.confirmNomination(ref.uid, node)) {
    cache.forget(ref.uid);
    return null;
  }
  const annotation = held.annotation;
  try {
    await source.bind({ ...ref, node, annotations: { [ALLOCATION_ANNOTATION]: annotation } });
  } catch (err) {
    cache.forget(ref.uid);
    const message = err instanceof Error ? err.message : String(err);
    log.warn('bind failed: nomination forgotten', { pod: `${ref.namespace}/${ref.name}`, node, error: message });
    return ctx.bindResult('error', `cannot bind pod "${ref.namespace}/${ref.name}" to node "${node}": ${message}`);
  }
  cache.finishBinding(ref.uid);
  ctx.deps.evaluations.delete(ref.uid);
  return ctx.bindResult('bound', '');
}
