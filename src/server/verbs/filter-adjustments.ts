import { evaluateNode } from '../../algorithm/evaluate-node.js';
import { nodeRank } from '../../algorithm/node-rank.js';
import type { NodeState } from '../../algorithm/node-state.js';
import { unreserve } from '../../algorithm/reserve.js';
import type { PodObject } from '../../cluster/cache/cluster-source.js';
import { parseJobGroup } from '../../model/job-group.js';
import type { LiveEvaluation } from '../evaluation-cache.js';
import { describeIssues, podRef, type ExtenderContext } from '../extender-context.js';
import type { NameCandidates } from '../name-candidates.js';
import { REPEATED } from '../names-filter-answer.js';
import { PASS, UNRESOLVABLE, UNSCHEDULABLE } from '../standing-answers.js';
import type { ExtenderFilterResult, WirePod } from '../wire-schemas.js';

/** Filter's outcome for one candidate, as the adjustments read and rewrite it. */
interface Outcomes {
  readonly count: number;
  name(i: number): string;
  code(i: number): number;
  set(i: number, code: number, reason: string | undefined): void;
}

/**
 * What filter adds on top of the per-node answers, for the pods it concerns (a cheap no-op for the others):
 * 1. all-or-nothing job groups: while a member's group cannot assemble, every node is refused with the reason;
 * 2. devices held for the pod (a preemptor's victims' devices, its place in an assembling group): nodes holding
 *    them are judged with them free, and when the pod fits there only those nodes pass, so it goes where its
 *    devices wait;
 * 3. when no node passes, Tessera's own preemption is told which nodes more room could help.
 * Returns the number of candidates that pass.
 */
function adjust(ctx: ExtenderContext, pod: WirePod, ev: LiveEvaluation, out: Outcomes, passed: number): number {
  const ref = podRef(pod);
  const cache = ctx.deps.cache;
  const group = parseJobGroup(pod as never);
  let groupVerdict: string | null = null;
  if (!group.ok) groupVerdict = `invalid job group in pod "${ref.namespace}/${ref.name}": ${describeIssues(group)}`;
  else if (group.value !== null && ev.cycle !== null) groupVerdict = ctx.groups.filterVerdict(pod as PodObject, ref, group.value, ev.snapshot, ev.cycle);
  if (groupVerdict !== null) {
    for (let i = 0; i < out.count; i += 1) if (out.code(i) !== REPEATED) out.set(i, UNRESOLVABLE, groupVerdict);
    return 0;
  }
  const holds = ref.uid === '' ? [] : cache.holdsFor(ref.uid);
  if (holds.length > 0 && ev.cycle !== null) {
    const held = new Map<string, NodeState>();
    for (const h of holds) {
      const base = held.get(h.node) ?? ev.snapshot.nodes.get(h.node);
      if (base !== undefined) held.set(h.node, unreserve(base, h.allocation));
    }
    const fitsHeld: number[] = [];
    for (let i = 0; i < out.count; i += 1) {
      const state = held.get(out.name(i));
      if (state === undefined) continue;
      const e = evaluateNode(state, ev.cycle);
      if (e.status.code === 'success') fitsHeld.push(i);
      else out.set(i, e.status.code === 'unschedulable' ? UNSCHEDULABLE : UNRESOLVABLE, e.status.reason);
    }
    if (fitsHeld.length > 0) {
      const where = [...new Set(fitsHeld.map((i) => out.name(i)))].join('", "');
      passed = 0;
      for (let i = 0; i < out.count; i += 1) {
        if (fitsHeld.includes(i)) {
          out.set(i, PASS, undefined);
          passed += 1;
        } else if (out.code(i) === PASS) {
          out.set(i, UNSCHEDULABLE, `devices are held for this pod on node "${where}"`);
        }
      }
      return passed;
    }
    passed = 0;
    for (let i = 0; i < out.count; i += 1) if (out.code(i) === PASS) passed += 1;
  }
  if (passed === 0 && ev.cycle !== null) {
    const room: string[] = [];
    for (let i = 0; i < out.count; i += 1) if (out.code(i) === UNSCHEDULABLE) room.push(out.name(i));
    ctx.preemption.noteUnschedulable(pod as PodObject, ref, ev.request, room);
  }
  return passed;
}

/** The adjustments on a names-only answer (outcome codes and reasons in request order). */
export function adjustNamesFilter(ctx: ExtenderContext, pod: WirePod, ev: LiveEvaluation, candidates: NameCandidates,
  outcome: Uint8Array, reasons: (string | undefined)[], passed: number): number {
  return adjust(ctx, pod, ev, {
    count: candidates.count,
    name: (i) => candidates.name(i),
    code: (i) => outcome[i] as number,
    set: (i, code, reason) => {
      outcome[i] = code;
      reasons[i] = reason;
    },
  }, passed);
}

/**
 * The adjustments on a full-node answer: rewrites `result` (Nodes items, FailedNodes, FailedAndUnresolvableNodes)
 * and the feasible nodes kept for prioritize.
 */
export function adjustFullFilter(ctx: ExtenderContext, pod: WirePod, ev: LiveEvaluation, result: ExtenderFilterResult,
  objects: ReadonlyMap<string, unknown>): void {
  const items = (result.Nodes?.items ?? []) as { metadata: { name: string } }[];
  const names = [...items.map((n) => n.metadata.name), ...Object.keys(result.FailedNodes), ...Object.keys(result.FailedAndUnresolvableNodes)];
  const codes: number[] = names.map((n, i) => (i < items.length ? PASS : Object.hasOwn(result.FailedAndUnresolvableNodes, n) ? UNRESOLVABLE : UNSCHEDULABLE));
  const reasons = names.map((n) => result.FailedAndUnresolvableNodes[n] ?? result.FailedNodes[n]);
  const before = codes.join(',');
  const passed = adjust(ctx, pod, ev, {
    count: names.length,
    name: (i) => names[i] as string,
    code: (i) => codes[i] as number,
    set: (i, code, reason) => {
      codes[i] = code;
      reasons[i] = reason;
    },
  }, items.length);
  if (codes.join(',') === before) return;
  const passedNames: string[] = [];
  const states: NodeState[] = [];
  result.FailedNodes = {};
  result.FailedAndUnresolvableNodes = {};
  names.forEach((n, i) => {
    if (codes[i] === PASS) passedNames.push(n);
    else if (codes[i] === UNSCHEDULABLE) result.FailedNodes[n] = reasons[i] as string;
    else result.FailedAndUnresolvableNodes[n] = reasons[i] as string;
  });
  result.Nodes = { metadata: {}, items: passedNames.map((n) => objects.get(n)) };
  const ranks = new Float64Array(passed);
  if (ev.cycle !== null) {
    const holds = ctx.deps.cache.holdsFor(podRef(pod).uid);
    passedNames.forEach((n, i) => {
      let s = ev.snapshot.nodes.get(n) as NodeState;
      for (const h of holds) if (h.node === n) s = unreserve(s, h.allocation);
      states.push(s);
      const e = evaluateNode(s, ev.cycle as NonNullable<typeof ev.cycle>);
      ranks[i] = e.status.code === 'success' ? nodeRank(s, ev.cycle as NonNullable<typeof ev.cycle>, e) : NaN;
    });
  }
  ctx.deps.evaluations.set({ ...ev, feasible: { names: passedNames, states, ranks, index: null } });
}
