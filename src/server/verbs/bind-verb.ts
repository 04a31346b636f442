import { placeOnNode } from '../../algorithm/place.js';
import { unreserve } from '../../algorithm/reserve.js';
import type { PodRef } from '../../cluster/cache/cluster-source.js';
import { ALLOCATION_ANNOTATION, formatAllocationAnnotation } from '../../model/allocation-annotation.js';
import { parseJobGroup } from '../../model/job-group.js';
import { parseGpuRequest, type PodLike } from '../../model/parse-gpu-request.js';
import { bindTargetMismatch } from '../bind-target-check.js';
import { describeIssues, type ExtenderContext } from '../extender-context.js';
import { bindNominated } from './bind-nominated.js';
import type { ExtenderBindingArgs, ExtenderBindingResult } from '../wire-schemas.js';

/**
 * Bind: places the pod on the chosen node, holds the exact devices in the assume cache (re-validated, so two
 * racing binds never share a slice), writes `tessera.io/allocation` and binds through the cluster source.
 * Devices held for the pod (preemption, job groups) are taken over in the same step. A member of an
 * all-or-nothing job group waits here, devices assumed, until the group assembles (GroupGate). Any failure is
 * returned in `Error` (kube-scheduler then forgets the pod and retries); the assumption is dropped.
 */
export async function bindPod(ctx: ExtenderContext, args: ExtenderBindingArgs): Promise<ExtenderBindingResult> {
  return ctx.tracedAsync('bind pod', async (span) => {
    const ref: PodRef = { namespace: args.PodNamespace, name: args.PodName, uid: args.PodUID };
    const who = `pod "${ref.namespace}/${ref.name}"`;
    span.setAttribute('tessera.node', args.Node);
    const nominated = await bindNominated(ctx, ref, args.Node);
    if (nominated !== null) return nominated;
    const held = ctx.deps.cache.pod(ref.uid);
    if (held !== undefined) {
      if (held.node === args.Node && held.phase === 'bound') return ctx.bindResult('bound', '');
      return ctx.bindResult('error', `cannot bind ${who} to node "${args.Node}": it already holds devices on node "${held.node}" (${held.phase})`);
    }
    const refused = await bindTargetMismatch(ref, ctx.deps.evaluations.get(ref.uid)?.pod, ctx.deps.cache, ctx.deps.source);
    if (refused !== null) return ctx.bindResult('error', `cannot bind ${who}: ${refused}`);
    let ev = ctx.deps.evaluations.get(ref.uid);
    let request = ev?.request;
    let podObject = ev?.pod;
    if (request === undefined || podObject === undefined) {
      const pod = ctx.deps.cache.pendingPod(ref.uid) ?? (await ctx.fetchPod(ref));
      if (pod === null) {
        return ctx.bindResult('error', `cannot bind ${who}: Tessera has not seen the pod: no filter call named its UID "${ref.uid}" and the cluster does not know it`);
      }
      const parsed = parseGpuRequest(pod as PodLike);
      if (!parsed.ok) return ctx.bindResult('error', `cannot bind ${who}: ${describeIssues(parsed)}`);
      request = parsed.value;
      podObject = pod;
      ev = undefined;
    }
    const group = parseJobGroup(podObject as never);
    if (!group.ok) return ctx.bindResult('error', `cannot bind ${who}: ${describeIssues(group)}`);
    // From here to assume() nothing awaits: the placement is made and held against one state.
    const snapshot = ctx.deps.cache.snapshot();
    const state = snapshot.nodes.get(args.Node);
    if (state === undefined) {
      return ctx.bindResult('error', `cannot bind ${who}: node "${args.Node}" is not in the cluster cache`);
    }
    const cycle = ev !== undefined && ev.snapshot === snapshot && ev.cycle !== null && ev.cycle.options === ctx.engine.options
      ? ev.cycle : ctx.engine.prefilter(request, snapshot);
    // Devices held for this very pod (its victims' devices, its place in a job group) are free for it.
    let own = state;
    for (const h of ctx.deps.cache.holdsFor(ref.uid)) if (h.node === args.Node) own = unreserve(own, h.allocation);
    const placed = placeOnNode(request, own, cycle);
    if (placed.status.code !== 'success' || placed.allocation === null) {
      const reason = placed.status.code === 'success' ? 'no placement returned' : placed.status.reason;
      ctx.deps.metrics.bindConflicts.inc();
      return ctx.bindResult('conflict', `cannot bind ${who} to node "${args.Node}": the node no longer fits the pod: ${reason}`);
    }
    const allocation = placed.allocation;
    const annotation = formatAllocationAnnotation(allocation, state.inventory);
    const held2 = ctx.deps.cache.assumeHeld(ref, allocation, annotation, request.priority, request.group, podObject.metadata?.labels);
    if (held2.code !== 'success') {
      ctx.deps.metrics.bindConflicts.inc();
      return ctx.bindResult('conflict', `cannot bind ${who} to node "${args.Node}": the devices were taken by another bind: ${held2.reason}`);
    }
    ctx.preemption.stopWaiting(ref.uid);
    if (group.value !== null && group.value.minSize !== null) {
      // All or nothing: the devices stay assumed while the rest of the group reaches bind (bounded wait).
      const notAssembled = await ctx.groups.arrive(ref, group.value);
      if (notAssembled !== null) {
        ctx.deps.cache.forget(ref.uid);
        return ctx.bindResult('error', `cannot bind ${who} to node "${args.Node}": ${notAssembled}`);
      }
    }
    try {
      await ctx.deps.source.bind({ ...ref, node: args.Node, annotations: { [ALLOCATION_ANNOTATION]: annotation } });
    } catch (err) {
      ctx.deps.cache.forget(ref.uid);
      const message = err instanceof Error ? err.message : String(err);
      ctx.deps.log.warn('bind failed: assumption forgotten', { pod: `${ref.namespace}/${ref.name}`, node: args.Node, error: message });
      return ctx.bindResult('error', `cannot bind ${who} to node "${args.Node}": ${message}`);
    }
    ctx.deps.cache.finishBinding(ref.uid);
    ctx.deps.evaluations.delete(ref.uid);
    span.setAttribute('tessera.devices', allocation.devices.length);
    return ctx.bindResult('bound', '');
  });
}
