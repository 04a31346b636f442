import { evaluateNode } from '../../algorithm/evaluate-node.js';
import { nodeRank } from '../../algorithm/node-rank.js';
import type { NodeState } from '../../algorithm/node-state.js';
import { type Candidate, type ExtenderContext } from '../extender-context.js';
import type { NameCandidates } from '../name-candidates.js';
import { REPEATED, toFilterResult, type NamesFilterAnswer } from '../names-filter-answer.js';
import { adjustFullFilter, adjustNamesFilter } from './filter-adjustments.js';
import { PASS, STALE, UNRESOLVABLE, UNSCHEDULABLE } from '../standing-answers.js';
import type { ExtenderArgs, ExtenderFilterResult, WirePod } from '../wire-schemas.js';

/** Filter's `Error` until the cluster source has listed every node and pod. */
export const NOT_SYNCED_ERROR = 'tessera has not finished listing the cluster yet: retry once GET /readyz answers ok';

/**
 * Names-only filter (`nodeCacheCapable: true`): the outcome per candidate, read from the standing answers of
 * the pod's request shape, which judge afresh only the nodes that changed since the last pod of that shape.
 */
export function filterNames(ctx: ExtenderContext, pod: WirePod, candidates: NameCandidates): NamesFilterAnswer {
  return ctx.traced('filter nodes', (span) => {
    const count = candidates.count;
    span.setAttribute('tessera.candidates', count);
    const outcome = new Uint8Array(count);
    // Dense from the start: writing index 4,000 of an empty array would turn it into a slow dictionary.
    const reasons = new Array<string | undefined>(count).fill(undefined);
    if (!ctx.deps.cache.synced) return { candidates, error: NOT_SYNCED_ERROR, outcome, reasons, passed: 0 };
    const seen = new Repeats();
    const ev = ctx.evaluate(pod);
    let passed = 0;
    if (!ev.ok) {
      for (let i = 0; i < count; i += 1) {
        outcome[i] = seen.again(candidates, i) ? REPEATED : UNRESOLVABLE;
        reasons[i] = ev.reason;
      }
      ctx.deps.metrics.filterRejections.inc({ reason: 'unresolvable' }, count);
    } else {
      const { cycle, snapshot } = ev.evaluation;
      const table = ctx.tableFor(ev.evaluation);
      const ids = candidates.ids;
      let unschedulable = 0;
      let unresolvable = 0;
      for (let i = 0; i < count; i += 1) {
        let id = ids[i] as number;
        if (id < 0) id = ids[i] = ctx.learn(candidates.name(i), snapshot, table);
        let code = id < 0 ? STALE : (table.code[id] as number);
        if (code === STALE && id >= 0) {
          const state = snapshot.nodes.get(ctx.names.name(id));
          if (state !== undefined) code = table.judge(id, state, cycle);
        }
        if (code === PASS) {
          outcome[i] = PASS;
          passed += 1;
          continue;
        }
        if (code === STALE) {
          // Not a node of the cache: unknown or unreadable (never kept, so it is found once it appears).
          const r = ctx.resolve(candidates.name(i), null, snapshot);
          if (r.ok) throw new Error(`filter: node "${candidates.name(i)}" resolved but has no standing answer`);
          code = r.resolvable ? UNSCHEDULABLE : UNRESOLVABLE;
          reasons[i] = r.reason;
          ctx.deps.metrics.filterRejections.inc({ reason: r.kind });
        } else {
          reasons[i] = table.reason[id];
          if (code === UNSCHEDULABLE) unschedulable += 1;
          else unresolvable += 1;
        }
        outcome[i] = seen.again(candidates, i) ? REPEATED : code;
      }
      if (unschedulable > 0) ctx.deps.metrics.filterRejections.inc({ reason: 'unschedulable' }, unschedulable);
      if (unresolvable > 0) ctx.deps.metrics.filterRejections.inc({ reason: 'unresolvable' }, unresolvable);
      passed = adjustNamesFilter(ctx, pod, ev.evaluation, candidates, outcome, reasons, passed);
    }
    span.setAttribute('tessera.feasible', passed);
    const answer: NamesFilterAnswer = { candidates, error: '', outcome, reasons, passed };
    if (passed === 0 && count > 0) ctx.reportUnschedulable(pod, toFilterResult(answer), count);
    return answer;
  });
}

/**
 * Filter with full Node objects (`nodeCacheCapable: false`): which candidates can hold the pod, with a reason
 * for each rejected one. The ranks computed in the same pass are kept for prioritize.
 */
export function filterFullNodes(ctx: ExtenderContext, args: ExtenderArgs): ExtenderFilterResult {
  return ctx.traced('filter nodes', (span) => {
    const candidates = candidateList(args);
    const count = candidates.length;
    span.setAttribute('tessera.candidates', count);
    const result: ExtenderFilterResult = {
      Nodes: null, NodeNames: null, FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: '',
    };
    // Before the cluster is listed every node would look unknown or empty; an Error makes kube-scheduler retry
    // the pod instead of recording misleading per-node reasons (or placing it on devices held by unseen pods).
    if (!ctx.deps.cache.synced) {
      result.Error = NOT_SYNCED_ERROR;
      return result;
    }
    const passed: string[] = [];
    const passedObjects: unknown[] = [];
    const ev = ctx.evaluate(args.Pod);
    if (!ev.ok) {
      for (const c of candidates) result.FailedAndUnresolvableNodes[c.name] = ev.reason;
      ctx.deps.metrics.filterRejections.inc({ reason: 'unresolvable' }, count);
    } else {
      const { cycle, snapshot } = ev.evaluation;
      const states: NodeState[] = [];
      const ranks = new Float64Array(count);
      let unschedulable = 0;
      let unresolvable = 0;
      for (const { name, node: object } of candidates) {
        const r = ctx.resolve(name, object, snapshot);
        if (!r.ok) {
          if (r.resolvable) result.FailedNodes[name] = r.reason;
          else result.FailedAndUnresolvableNodes[name] = r.reason;
          ctx.deps.metrics.filterRejections.inc({ reason: r.kind });
          continue;
        }
        const state = r.state;
        // cycle was prefiltered for this very request, so the core's memoised evaluation is filterNode's.
        const e = evaluateNode(state, cycle);
        const code = e.status.code;
        if (code === 'success') {
          ranks[passed.length] = nodeRank(state, cycle, e);
          passed.push(name);
          states.push(state);
          passedObjects.push(object);
        } else if (code === 'unschedulable') {
          result.FailedNodes[name] = e.status.reason;
          unschedulable += 1;
        } else {
          result.FailedAndUnresolvableNodes[name] = e.status.reason;
          unresolvable += 1;
        }
      }
      if (unschedulable > 0) ctx.deps.metrics.filterRejections.inc({ reason: 'unschedulable' }, unschedulable);
      if (unresolvable > 0) ctx.deps.metrics.filterRejections.inc({ reason: 'unresolvable' }, unresolvable);
      ctx.deps.evaluations.set({ ...ev.evaluation, feasible: { names: passed, states, ranks, index: null } });
      result.Nodes = { metadata: {}, items: passedObjects };
      adjustFullFilter(ctx, args.Pod, ev.evaluation, result, new Map(candidates.map((c) => [c.name, c.node])));
    }
    result.Nodes ??= { metadata: {}, items: passedObjects };
    const feasible = result.Nodes.items.length;
    span.setAttribute('tessera.feasible', feasible);
    if (feasible === 0 && count > 0) ctx.reportUnschedulable(args.Pod, result, count);
    return result;
  });
}

/** The full-node candidates of a request. */
export function candidateList(args: ExtenderArgs): Candidate[] {
  return (args.Nodes?.items ?? []).map((node) => ({ name: node.metadata.name, node }));
}

/** Failed names already answered in this request (JSON objects hold each key once). */
class Repeats {
  private readonly names = new Set<string>();
  private readonly ids = new Set<number>();

  /** True when candidate `i` failed before in this request; notes it otherwise. */
  again(candidates: NameCandidates, i: number): boolean {
    const id = candidates.ids[i] as number;
    if (id >= 0) {
      if (this.ids.has(id)) return true;
      this.ids.add(id);
      return false;
    }
    const name = candidates.name(i);
    if (this.names.has(name)) return true;
    this.names.add(name);
    return false;
  }
}
