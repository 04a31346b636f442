import { SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { EvaluationMemo } from '../algorithm/evaluation-memo.js';
import { prefilter, type CycleState } from '../algorithm/cycle-state.js';
import { evaluateNode } from '../algorithm/evaluate-node.js';
import { makeNodeState, type NodeState } from '../algorithm/node-state.js';
import { placeOnNode } from '../algorithm/place.js';
import { selectVictims } from '../algorithm/preempt.js';
import { reserve } from '../algorithm/reserve.js';
import type { SchedulingOptions } from '../algorithm/scheduling-options.js';
import { rawScore } from '../algorithm/score.js';
import type { Snapshot } from '../algorithm/snapshot.js';
import type { ClusterCache } from '../cluster/cache/cluster-cache.js';
import type { ClusterSource, PodObject, PodRef } from '../cluster/cache/cluster-source.js';
import type { NodeParser } from '../cluster/cache/node-parser.js';
import { ALLOCATION_ANNOTATION, formatAllocationAnnotation } from '../model/allocation-annotation.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { NodeInventory } from '../model/node-inventory.js';
import { parseGpuRequest, type PodLike } from '../model/parse-gpu-request.js';
import type { ParseResult } from '../model/parse-result.js';
import type { Logger } from '../telemetry/logger.js';
import type { RejectionReason, TesseraMetrics } from '../telemetry/metrics.js';
import { bindTargetMismatch } from './bind-target-check.js';
import { noFeasibleNodes, type EvaluationCache, type FeasibleNodes, type LiveEvaluation } from './evaluation-cache.js';
import { candidatesFromNames, type NameCandidates } from './name-candidates.js';
import { REPEATED, toFilterResult, type NamesFilterAnswer } from './names-filter-answer.js';
import { NodeNameIndex } from './node-name-index.js';
import { PASS, STALE, StandingAnswers, toExtenderScore, UNRESOLVABLE, UNSCHEDULABLE, type AnswerTable } from './standing-answers.js';
import {
  type ExtenderArgs, type ExtenderBindingArgs, type ExtenderBindingResult,
  type ExtenderFilterResult, type ExtenderPreemptionArgs, type ExtenderPreemptionResult, type HostPriority,
  type MetaVictimsResult, type WireNode, type WirePod,
} from './wire-schemas.js';

/** Everything the service needs, injected by main.ts (or a test). */
/** Filter's `Error` until the cluster source has listed every node and pod. */
export const NOT_SYNCED_ERROR = 'tessera has not finished listing the cluster yet: retry once GET /readyz answers ok';

export interface ExtenderServiceDeps {
  readonly cache: ClusterCache;
  readonly source: ClusterSource;
  readonly nodeParser: NodeParser;
  readonly options: SchedulingOptions;
  readonly evaluations: EvaluationCache;
  readonly metrics: TesseraMetrics;
  readonly tracer: Tracer;
  readonly log: Logger;
}

/** A candidate node resolved for one request: its state, or why it cannot be evaluated. */
type Resolved =
  | { readonly ok: true; readonly state: NodeState }
  | { readonly ok: false; readonly reason: string; readonly kind: RejectionReason; readonly resolvable: boolean };

/**
 * The extender over one cluster cache: kube-scheduler's filter, prioritize, bind and preempt, transport-free
 * (the HTTP adapter in src/server/http calls it with validated bodies). Each call takes one snapshot and passes
 * it down; bind holds devices through the cache's assume/forget, never a global lock.
 */
export class ExtenderService {
  /** Full-node mode: node states built for inventories that differ from the cache's, per cache version. */
  private bodyStates = new Map<string, { inventory: NodeInventory; version: number; state: NodeState }>();

  /** Node evaluations kept across pods of equal request shape (the core's memo; this service owns it). */
  private readonly memo: EvaluationMemo;

  /** Node names as ids: the HTTP adapter resolves request bodies' names with it, and answers are kept by id. */
  readonly names = new NodeNameIndex();

  /** Names-only filter outcomes and scores per request shape, kept current through the cache's change journal. */
  private readonly standing: StandingAnswers;

  constructor(private readonly deps: ExtenderServiceDeps) {
    this.memo = new EvaluationMemo(deps.options);
    this.standing = new StandingAnswers(deps.cache);
  }

  /**
   * Filter: which candidate nodes can hold the pod, with a reason for each rejected one. Names-only requests go
   * through `filterCandidates`; full nodes are judged here, and the scores computed in the same pass are kept
   * for prioritize.
   */
  filter(args: ExtenderArgs): ExtenderFilterResult {
    if (args.Nodes == null) return toFilterResult(this.filterCandidates(args.Pod, candidatesFromNames(args.NodeNames ?? [], this.names)));
    return this.traced('filter nodes', (span) => {
      const candidates = candidateList(args);
      const count = candidates.length;
      span.setAttribute('tessera.candidates', count);
      const result: ExtenderFilterResult = {
        Nodes: null, NodeNames: null, FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: '',
      };
      // Before the cluster is listed every node would look unknown or empty; an Error makes kube-scheduler retry
      // the pod instead of recording misleading per-node reasons (or placing it on devices held by unseen pods).
      if (!this.deps.cache.synced) {
        result.Error = NOT_SYNCED_ERROR;
        return result;
      }
      const passed: string[] = [];
      const passedObjects: unknown[] = [];
      const ev = this.evaluate(args.Pod);
      if (!ev.ok) {
        for (const c of candidates) result.FailedAndUnresolvableNodes[c.name] = ev.reason;
        this.deps.metrics.filterRejections.inc({ reason: 'unresolvable' }, count);
      } else {
        const { cycle, snapshot } = ev.evaluation;
        const states: NodeState[] = [];
        const scores = new Uint8Array(count);
        let unschedulable = 0;
        let unresolvable = 0;
        for (const { name, node: object } of candidates) {
          const r = this.resolve(name, object, snapshot);
          if (!r.ok) {
            if (r.resolvable) result.FailedNodes[name] = r.reason;
            else result.FailedAndUnresolvableNodes[name] = r.reason;
            this.deps.metrics.filterRejections.inc({ reason: r.kind });
            continue;
          }
          const state = r.state;
          // cycle was prefiltered for this very request, so the core's memoised evaluation is filterNode's.
          const e = evaluateNode(state, cycle);
          const code = e.status.code;
          if (code === 'success') {
            scores[passed.length] = toExtenderScore(Math.round(rawScore(state, cycle, e)));
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
        if (unschedulable > 0) this.deps.metrics.filterRejections.inc({ reason: 'unschedulable' }, unschedulable);
        if (unresolvable > 0) this.deps.metrics.filterRejections.inc({ reason: 'unresolvable' }, unresolvable);
        this.deps.evaluations.set({ ...ev.evaluation, feasible: { names: passed, states, scores, index: null } });
      }
      result.Nodes = { metadata: {}, items: passedObjects };
      span.setAttribute('tessera.feasible', passed.length);
      if (passed.length === 0 && count > 0) this.reportUnschedulable(args.Pod, result, count);
      return result;
    });
  }

  /**
   * Names-only filter (`nodeCacheCapable: true`): the outcome per candidate, read from the standing answers of
   * the pod's request shape, which judge afresh only the nodes that changed since the last pod of that shape.
   */
  filterCandidates(pod: WirePod, candidates: NameCandidates): NamesFilterAnswer {
    return this.traced('filter nodes', (span) => {
      const count = candidates.count;
      span.setAttribute('tessera.candidates', count);
      const outcome = new Uint8Array(count);
      // Dense from the start: writing index 4,000 of an empty array would turn it into a slow dictionary.
      const reasons = new Array<string | undefined>(count).fill(undefined);
      if (!this.deps.cache.synced) return { candidates, error: NOT_SYNCED_ERROR, outcome, reasons, passed: 0 };
      const seen = new Repeats();
      const ev = this.evaluate(pod);
      let passed = 0;
      if (!ev.ok) {
        for (let i = 0; i < count; i += 1) {
          outcome[i] = seen.again(candidates, i) ? REPEATED : UNRESOLVABLE;
          reasons[i] = ev.reason;
        }
        this.deps.metrics.filterRejections.inc({ reason: 'unresolvable' }, count);
      } else {
        const { cycle, snapshot } = ev.evaluation;
        const table = this.tableFor(ev.evaluation);
        const ids = candidates.ids;
        let unschedulable = 0;
        let unresolvable = 0;
        for (let i = 0; i < count; i += 1) {
          let id = ids[i] as number;
          if (id < 0) id = ids[i] = this.learn(candidates.name(i), snapshot, table);
          let code = id < 0 ? STALE : (table.code[id] as number);
          if (code === STALE && id >= 0) {
            const state = snapshot.nodes.get(this.names.name(id));
            if (state !== undefined) code = table.judge(id, state, cycle);
          }
          if (code === PASS) {
            outcome[i] = PASS;
            passed += 1;
            continue;
          }
          if (code === STALE) {
            // Not a node of the cache: unknown or unreadable (never kept, so it is found once it appears).
            const r = this.resolve(candidates.name(i), null, snapshot);
            if (r.ok) throw new Error(`filter: node "${candidates.name(i)}" resolved but has no standing answer`);
            code = r.resolvable ? UNSCHEDULABLE : UNRESOLVABLE;
            reasons[i] = r.reason;
            this.deps.metrics.filterRejections.inc({ reason: r.kind });
          } else {
            reasons[i] = table.reason[id];
            if (code === UNSCHEDULABLE) unschedulable += 1;
            else unresolvable += 1;
          }
          outcome[i] = seen.again(candidates, i) ? REPEATED : code;
        }
        if (unschedulable > 0) this.deps.metrics.filterRejections.inc({ reason: 'unschedulable' }, unschedulable);
        if (unresolvable > 0) this.deps.metrics.filterRejections.inc({ reason: 'unresolvable' }, unresolvable);
      }
      span.setAttribute('tessera.feasible', passed);
      const answer: NamesFilterAnswer = { candidates, error: '', outcome, reasons, passed };
      if (passed === 0 && count > 0) this.reportUnschedulable(pod, toFilterResult(answer), count);
      return answer;
    });
  }

  /**
   * Prioritize: 0..10 per candidate (the core's 0..100 scaled at the wire); infeasible or unknown nodes get 0.
   * Names-only requests go through `prioritizeCandidates`. With full nodes, a node that passed filter for this
   * pod in this very snapshot answers with the score filter kept; anything else is evaluated now.
   */
  prioritize(args: ExtenderArgs): HostPriority[] {
    if (args.Nodes == null) {
      const names = args.NodeNames ?? [];
      const scores = this.prioritizeCandidates(args.Pod, candidatesFromNames(names, this.names));
      return names.map((Host, i) => ({ Host, Score: scores[i] as number }));
    }
    return this.traced('prioritize nodes', (span) => {
      const candidates = candidateList(args);
      const count = candidates.length;
      span.setAttribute('tessera.candidates', count);
      const out: HostPriority[] = new Array(count);
      const ev = this.evaluate(args.Pod);
      if (!ev.ok) {
        for (let i = 0; i < count; i += 1) out[i] = { Host: (candidates[i] as Candidate).name, Score: 0 };
        return out;
      }
      const { cycle, feasible, snapshot } = ev.evaluation;
      const kept = feasible.names;
      let reused = 0;
      for (let i = 0; i < count; i += 1) {
        const { name, node: object } = candidates[i] as Candidate;
        let at = i < kept.length && kept[i] === name ? i : -1;
        if (at === -1 && kept.length > 0) at = indexOf(feasible, name);
        const r = this.resolve(name, object, snapshot);
        let score = 0;
        // The state comes from the body: reuse filter's score only for the very state filter judged.
        if (r.ok && at !== -1 && r.state === feasible.states[at]) {
          score = feasible.scores[at] as number;
          reused += 1;
        } else if (r.ok) {
          score = scoreNow(r.state, cycle);
        }
        out[i] = { Host: name, Score: score };
      }
      span.setAttribute('tessera.scores_reused', reused);
      return out;
    });
  }

  /**
   * Names-only prioritize: the extender score (0..10) per candidate, in request order, from the standing answers
   * (kept current by filter's pass and the change journal: usually a read per name).
   */
  prioritizeCandidates(pod: WirePod, candidates: NameCandidates): Uint8Array {
    return this.traced('prioritize nodes', (span) => {
      const count = candidates.count;
      span.setAttribute('tessera.candidates', count);
      const scores = new Uint8Array(count);
      const ev = this.evaluate(pod);
      if (!ev.ok) return scores;
      const { cycle, snapshot } = ev.evaluation;
      const table = this.tableFor(ev.evaluation);
      const ids = candidates.ids;
      let reused = 0;
      for (let i = 0; i < count; i += 1) {
        let id = ids[i] as number;
        if (id < 0) id = ids[i] = this.learn(candidates.name(i), snapshot, table);
        if (id < 0) continue;
        let code = table.code[id] as number;
        if (code === STALE) {
          const state = snapshot.nodes.get(this.names.name(id));
          if (state === undefined) continue;
          code = table.judge(id, state, cycle);
        } else {
          reused += 1;
        }
        if (code === PASS) scores[i] = table.score[id] as number;
      }
      span.setAttribute('tessera.scores_reused', reused);
      return scores;
    });
  }

  /**
   * Bind: places the pod on the chosen node, holds the exact devices in the assume cache (re-validated, so two
   * racing binds never share a slice), writes `tessera.io/allocation` and binds through the cluster source.
   * Any failure is returned in `Error` (kube-scheduler then forgets the pod and retries); the assumption is
   * dropped.
   */
  async bind(args: ExtenderBindingArgs): Promise<ExtenderBindingResult> {
    return this.tracedAsync('bind pod', async (span) => {
      const ref: PodRef = { namespace: args.PodNamespace, name: args.PodName, uid: args.PodUID };
      const who = `pod "${ref.namespace}/${ref.name}"`;
      span.setAttribute('tessera.node', args.Node);
      const held = this.deps.cache.pod(ref.uid);
      if (held !== undefined) {
        if (held.node === args.Node && held.phase === 'bound') return this.bindResult('bound', '');
        return this.bindResult('error', `cannot bind ${who} to node "${args.Node}": it already holds devices on node "${held.node}" (${held.phase})`);
      }
      const refused = await bindTargetMismatch(ref, this.deps.evaluations.get(ref.uid)?.pod, this.deps.cache, this.deps.source);
      if (refused !== null) return this.bindResult('error', `cannot bind ${who}: ${refused}`);
      let ev = this.deps.evaluations.get(ref.uid);
      let request = ev?.request;
      if (request === undefined) {
        const pod = this.deps.cache.pendingPod(ref.uid) ?? (await this.fetchPod(ref));
        if (pod === null) {
          return this.bindResult('error', `cannot bind ${who}: Tessera has not seen the pod: no filter call named its UID "${ref.uid}" and the cluster does not know it`);
        }
        const parsed = parseGpuRequest(pod as PodLike);
        if (!parsed.ok) return this.bindResult('error', `cannot bind ${who}: ${describeIssues(parsed)}`);
        request = parsed.value;
        ev = undefined;
      }
      // From here to assume() nothing awaits: the placement is made and held against one state.
      const snapshot = this.deps.cache.snapshot();
      const state = snapshot.nodes.get(args.Node);
      if (state === undefined) {
        return this.bindResult('error', `cannot bind ${who}: node "${args.Node}" is not in the cluster cache`);
      }
      const cycle = ev !== undefined && ev.snapshot === snapshot && ev.cycle !== null ? ev.cycle : prefilter(request, snapshot, this.deps.options, this.memo);
      const placed = placeOnNode(request, state, cycle);
      if (placed.status.code !== 'success' || placed.allocation === null) {
        const reason = placed.status.code === 'success' ? 'no placement returned' : placed.status.reason;
        this.deps.metrics.bindConflicts.inc();
        return this.bindResult('conflict', `cannot bind ${who} to node "${args.Node}": the node no longer fits the pod: ${reason}`);
      }
      const allocation = placed.allocation;
      const annotation = formatAllocationAnnotation(allocation, state.inventory);
      const held2 = this.deps.cache.assume(ref, allocation, annotation, request.priority, request.group);
      if (held2.code !== 'success') {
        this.deps.metrics.bindConflicts.inc();
        return this.bindResult('conflict', `cannot bind ${who} to node "${args.Node}": the devices were taken by another bind: ${held2.reason}`);
      }
      try {
        await this.deps.source.bind({ ...ref, node: args.Node, annotations: { [ALLOCATION_ANNOTATION]: annotation } });
      } catch (err) {
        this.deps.cache.forget(ref.uid);
        const message = err instanceof Error ? err.message : String(err);
        this.deps.log.warn('bind failed: assumption forgotten', { pod: `${ref.namespace}/${ref.name}`, node: args.Node, error: message });
        return this.bindResult('error', `cannot bind ${who} to node "${args.Node}": ${message}`);
      }
      this.deps.cache.finishBinding(ref.uid);
      this.deps.evaluations.delete(ref.uid);
      span.setAttribute('tessera.devices', allocation.devices.length);
      return this.bindResult('bound', '');
    });
  }

  /**
   * Preempt: for each candidate node, the fewest lowest-priority pods (strictly below the preemptor) whose
   * removal frees the devices the pod needs (fractional: partial GPUs count). Nodes where no set of victims
   * helps, or where the pod already fits, are dropped. Always answers NodeNameToMetaVictims (UIDs).
   */
  preempt(args: ExtenderPreemptionArgs): ExtenderPreemptionResult {
    return this.traced('preempt pod', (span) => {
      const out: ExtenderPreemptionResult = { NodeNameToMetaVictims: {} };
      const parsed = parseGpuRequest(args.Pod as PodLike);
      if (!parsed.ok) return out;
      const request = parsed.value;
      const proposed: Record<string, { NumPDBViolations?: number | null } | null> =
        args.NodeNameToMetaVictims ?? args.NodeNameToVictims ?? {};
      const snapshot = this.deps.cache.snapshot();
      const cycle = prefilter(request, snapshot, this.deps.options, this.memo);
      let victimsTotal = 0;
      for (const name of Object.keys(proposed)) {
        const state = snapshot.nodes.get(name);
        if (state === undefined) continue;
        const pods = this.deps.cache.podsOn(name)
          .filter((p) => p.counted && p.allocation !== null && p.priority < request.priority)
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
      this.deps.metrics.preemptionVictims.inc(victimsTotal);
      span.setAttribute('tessera.victims', victimsTotal);
      return out;
    });
  }

  // ---- internals ----

  /** The standing answers of the evaluation's request shape, current for its snapshot. */
  private tableFor(ev: LiveEvaluation): AnswerTable {
    const names = this.names;
    return this.standing.tableFor(ev.cycle, ev.version, names.size, (name) => names.idOf(name));
  }

  /** An id for a name the index has not seen, when the snapshot has that node (else -1). */
  private learn(name: string, snapshot: Snapshot, table: AnswerTable): number {
    if (!snapshot.nodes.has(name)) return -1;
    const id = this.names.intern(name);
    table.fit(this.names.size);
    return id;
  }

  private reportUnschedulable(pod: WirePod, result: ExtenderFilterResult, count: number): void {
    this.deps.source.reportUnschedulable?.(podRef(pod), summarizeFailures(result, count));
  }

  /** The pod's evaluation for the current cache version, reused from filter when still valid. */
  private evaluate(pod: WirePod): { ok: true; evaluation: LiveEvaluation } | { ok: false; reason: string } {
    const podKey = podKeyOf(pod);
    const podVersion = pod.metadata.resourceVersion ?? '';
    const snapshot: Snapshot = this.deps.cache.snapshot();
    const version = this.deps.cache.version;
    const hit = this.deps.evaluations.get(podKey);
    if (hit !== undefined && hit.podVersion === podVersion && hit.version === version && hit.snapshot === snapshot && hit.cycle !== null && hit.feasible !== null) {
      this.deps.metrics.evaluationCache.inc({ result: 'hit' });
      return { ok: true, evaluation: { ...hit, snapshot, cycle: hit.cycle, feasible: hit.feasible } };
    }
    this.deps.metrics.evaluationCache.inc({ result: 'miss' });
    let request: GpuRequest;
    if (hit !== undefined && hit.podVersion === podVersion) {
      request = hit.request;
    } else {
      const parsed = parseGpuRequest(pod as PodLike);
      if (!parsed.ok) return { ok: false, reason: `invalid GPU request in pod "${pod.metadata.namespace ?? ''}/${pod.metadata.name}": ${describeIssues(parsed)}` };
      request = parsed.value;
    }
    const cycle: CycleState = prefilter(request, snapshot, this.deps.options, this.memo);
    const evaluation: LiveEvaluation = {
      podKey, podVersion, pod: pod as PodObject, request, version, snapshot, cycle, feasible: noFeasibleNodes(),
    };
    this.deps.evaluations.set(evaluation);
    return { ok: true, evaluation };
  }

  /**
   * Names-only: the cached state. Full node: the inventory read from the node's labels (memoized by
   * name+resourceVersion) with the cache's usage of that node.
   */
  private resolve(name: string, node: WireNode | null, snapshot: Snapshot): Resolved {
    const cache = this.deps.cache;
    if (node === null) {
      const state = snapshot.nodes.get(name);
      if (state !== undefined) return { ok: true, state };
      const invalid = cache.invalidReason(name);
      if (invalid !== undefined) return { ok: false, kind: 'invalid_node', resolvable: false, reason: `cannot read the GPU inventory of node "${name}": ${invalid}` };
      return { ok: false, kind: 'unknown_node', resolvable: true, reason: `node "${name}" is not in Tessera's cluster cache` };
    }
    const parsed = this.deps.nodeParser.parse(node);
    if (!parsed.ok) {
      this.deps.metrics.nodeParseErrors.inc();
      return { ok: false, kind: 'invalid_node', resolvable: false, reason: `cannot read the GPU inventory of node "${name}": ${describeIssues(parsed)}` };
    }
    const inventory = parsed.value;
    const cached = snapshot.nodes.get(name);
    if (cached !== undefined && cached.inventory === inventory) return { ok: true, state: cached };
    const memo = this.bodyStates.get(name);
    if (memo !== undefined && memo.inventory === inventory && memo.version === cache.version) return { ok: true, state: memo.state };
    let state = makeNodeState(inventory);
    for (const pod of cache.podsOn(name)) {
      if (pod.allocation === null) continue;
      const r = reserve(state, pod.allocation);
      if (r.status.code === 'success') state = r.node;
    }
    if (this.bodyStates.size > 100_000) this.bodyStates = new Map();
    this.bodyStates.set(name, { inventory, version: cache.version, state });
    return { ok: true, state };
  }

  private async fetchPod(ref: PodRef): Promise<PodObject | null> {
    const get = this.deps.source.getPod;
    if (get === undefined) return null;
    const pod = await get.call(this.deps.source, ref.namespace, ref.name);
    return pod !== null && pod.metadata?.uid === ref.uid ? pod : null;
  }

  private bindResult(result: 'bound' | 'conflict' | 'error', error: string): ExtenderBindingResult {
    this.deps.metrics.binds.inc({ result });
    return { Error: error };
  }

  private traced<T>(name: string, fn: (span: Span) => T): T {
    return this.deps.tracer.startActiveSpan(name, (span) => {
      try {
        return fn(span);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
        throw err;
      } finally {
        span.end();
      }
    });
  }

  private tracedAsync<T extends { Error: string }>(name: string, fn: (span: Span) => Promise<T>): Promise<T> {
    return this.deps.tracer.startActiveSpan(name, async (span) => {
      try {
        const r = await fn(span);
        if (r.Error !== '') span.setStatus({ code: SpanStatusCode.ERROR, message: r.Error });
        return r;
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
        throw err;
      } finally {
        span.end();
      }
    });
  }
}

/** A full-node candidate. */
interface Candidate {
  readonly name: string;
  readonly node: WireNode;
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

/** The extender score (0..10) of `state` for the cycle's pod now; 0 when it does not fit. */
function scoreNow(state: NodeState, cycle: CycleState): number {
  const e = evaluateNode(state, cycle);
  return e.status.code === 'success' ? toExtenderScore(Math.round(rawScore(state, cycle, e))) : 0;
}

function candidateList(args: ExtenderArgs): Candidate[] {
  return (args.Nodes?.items ?? []).map((node) => ({ name: node.metadata.name, node }));
}


function podKeyOf(pod: WirePod): string {
  const uid = pod.metadata.uid;
  return uid !== undefined && uid !== null && uid !== '' ? uid : `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
}

function podRef(pod: WirePod): PodRef {
  return { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name, uid: pod.metadata.uid ?? '' };
}

function describeIssues(r: ParseResult<unknown>): string {
  return r.ok ? '' : r.errors.map((e) => (e.path === '' ? e.message : `${e.path}: ${e.message}`)).join('; ');
}

/** `0/3 nodes are available: 2 <reason>, 1 <reason>` (reasons grouped, most common first). */
function summarizeFailures(result: ExtenderFilterResult, total: number): string {
  const counts = new Map<string, number>();
  for (const reason of [...Object.values(result.FailedNodes), ...Object.values(result.FailedAndUnresolvableNodes)]) {
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  const parts = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([r, n]) => `${n} ${r}`);
  return `0/${total} nodes are available: ${parts.join(', ')}`;
}

