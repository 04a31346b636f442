import { SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import type { CycleState } from '../algorithm/cycle-state.js';
import { makeNodeState, type NodeState } from '../algorithm/node-state.js';
import { PlacementEngine } from '../algorithm/placement-engine.js';
import { reserve } from '../algorithm/reserve.js';
import type { SchedulingOptions } from '../algorithm/scheduling-options.js';
import type { Snapshot } from '../algorithm/snapshot.js';
import type { ClusterCache } from '../cluster/cache/cluster-cache.js';
import type { ClusterSource, PodObject, PodRef } from '../cluster/cache/cluster-source.js';
import type { NodeParser } from '../cluster/cache/node-parser.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { NodeInventory } from '../model/node-inventory.js';
import { parseGpuRequest, type PodLike } from '../model/parse-gpu-request.js';
import type { ParseResult } from '../model/parse-result.js';
import type { Logger } from '../telemetry/logger.js';
import type { PreemptionMetrics, RejectionReason, TesseraMetrics } from '../telemetry/metrics.js';
import { noFeasibleNodes, type EvaluationCache, type LiveEvaluation } from './evaluation-cache.js';
import { GroupGate, type GroupSettings } from './groups/group-gate.js';
import { PreemptionCoordinator, type PreemptionSettings } from './preemption/preemption-coordinator.js';
import type { Timers } from './timers.js';
import { NodeNameIndex } from './node-name-index.js';
import { ObservedPods } from './observed-pods.js';
import { StandingAnswers, type AnswerTable } from './standing-answers.js';
import type { ExtenderBindingResult, ExtenderFilterResult, WireNode, WirePod } from './wire-schemas.js';

/** Everything the service needs, injected by tessera-server.ts (or a test). */
export interface ExtenderServiceDeps {
  readonly cache: ClusterCache;
  readonly source: ClusterSource;
  readonly nodeParser: NodeParser;
  readonly options: SchedulingOptions;
  readonly evaluations: EvaluationCache;
  readonly metrics: TesseraMetrics;
  readonly tracer: Tracer;
  readonly log: Logger;
  /** The cluster source itself, for preemption's evictions, nominations, budgets and Events (default `source`). */
  readonly actions?: ClusterSource;
  readonly preemptionMetrics?: PreemptionMetrics;
  /** Preemption timings (default DEFAULT_PREEMPTION_SETTINGS). */
  readonly preemption?: PreemptionSettings;
  /** Job-group assembly timing (default DEFAULT_GROUP_SETTINGS). */
  readonly groups?: GroupSettings;
  /** Clock and timers for preemption and group assembly (default the real ones). */
  readonly timers?: Timers;
  /** Config `filterAnswer`: `choice` narrows names-only filter answers to Tessera's choice (default `feasible`). */
  readonly filterAnswer?: 'feasible' | 'choice';
}

/** A candidate node resolved for one request: its state, or why it cannot be evaluated. */
export type Resolved =
  | { readonly ok: true; readonly state: NodeState }
  | { readonly ok: false; readonly reason: string; readonly kind: RejectionReason; readonly resolvable: boolean };

/**
 * What the four verbs share (src/server/verbs/*): the injected dependencies, the core's PlacementEngine, the
 * node-name index, the standing answers per request shape, and the helpers that turn a wire pod into the core's
 * cycle state and a candidate name into a node state. One per ExtenderService.
 */
export class ExtenderContext {
  /** Full-node mode: node states built for inventories that differ from the cache's, per cache version. */
  private bodyStates = new Map<string, { inventory: NodeInventory; version: number; state: NodeState }>();

  /**
   * The core's entry point: the learned target workload and the node evaluations kept across pods of equal
   * request shape (this service owns it; the replay owns its own).
   */
  readonly engine: PlacementEngine;

  /** Pods whose request the engine has learned from (each once). */
  readonly observed = new ObservedPods();

  /** Scratch for prioritize: ranks and tie keys of one request's candidates. */
  private ranks = new Float64Array(0);
  private tieKeys = new Float64Array(0);

  /** Node names as ids: the HTTP adapter resolves request bodies' names with it, and answers are kept by id. */
  readonly names = new NodeNameIndex();

  /** Names-only filter outcomes and ranks per request shape, kept current through the cache's change journal. */
  private readonly standing: StandingAnswers;

  /** Preemption of GPU pods: the preempt verb's choice and Tessera's own evictions. */
  readonly preemption: PreemptionCoordinator;

  /** All-or-nothing job groups: filter's verdict and bind's assembly. */
  readonly groups: GroupGate;

  constructor(readonly deps: ExtenderServiceDeps) {
    this.engine = new PlacementEngine(deps.options);
    this.standing = new StandingAnswers(deps.cache);
    this.preemption = new PreemptionCoordinator(this, deps.actions ?? deps.source, deps.preemption, deps.preemptionMetrics ?? null, deps.timers);
    this.groups = new GroupGate(this, deps.groups, deps.preemptionMetrics ?? null, deps.timers);
  }



  /** Prioritize's scratch arrays, grown to `count`. */
  scratch(count: number): { ranks: Float64Array; tieKeys: Float64Array } {
    if (this.ranks.length < count) {
      this.ranks = new Float64Array(count);
      this.tieKeys = new Float64Array(count);
    }
    return { ranks: this.ranks, tieKeys: this.tieKeys };
  }

  /** The standing answers of the evaluation's request shape, current for its snapshot. */
  tableFor(ev: LiveEvaluation): AnswerTable {
    const names = this.names;
    return this.standing.tableFor(ev.cycle, ev.version, names.size, (name) => names.idOf(name));
  }

  /** An id for a name the index has not seen, when the snapshot has that node (else -1). */
  learn(name: string, snapshot: Snapshot, table: AnswerTable): number {
    if (!snapshot.nodes.has(name)) return -1;
    const id = this.names.intern(name);
    table.fit(this.names.size);
    return id;
  }

  reportUnschedulable(pod: WirePod, result: ExtenderFilterResult, count: number): void {
    this.deps.source.reportUnschedulable?.(podRef(pod), summarizeFailures(result, count));
  }

  /** The pod's evaluation for the current cache version and options, reused from filter when still valid. */
  evaluate(pod: WirePod): { ok: true; evaluation: LiveEvaluation } | { ok: false; reason: string } {
    const podKey = podKeyOf(pod);
    const podVersion = pod.metadata.resourceVersion ?? '';
    const snapshot: Snapshot = this.deps.cache.snapshot();
    const version = this.deps.cache.version;
    const hit = this.deps.evaluations.get(podKey);
    if (hit !== undefined && hit.podVersion === podVersion && hit.version === version && hit.snapshot === snapshot && hit.cycle !== null
      && hit.feasible !== null && hit.cycle.options === this.engine.options) {
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
      // A pod seen here before the cluster source showed it (the simulated cluster shows none) teaches too.
      if (pod.metadata.uid !== undefined && pod.metadata.uid !== null && pod.metadata.uid !== '' && this.observed.add(pod.metadata.uid)) {
        this.engine.observe(request);
      }
    }
    const cycle: CycleState = this.engine.prefilter(request, snapshot);
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
  resolve(name: string, node: WireNode | null, snapshot: Snapshot): Resolved {
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
    // A new cache version with the same inventory: keep its InventoryInfo (links, masks) instead of recomputing it.
    let state = makeNodeState(inventory, undefined, memo?.inventory === inventory ? memo.state.info : undefined);
    for (const pod of cache.podsOn(name)) {
      if (pod.allocation === null) continue;
      const r = reserve(state, pod.allocation);
      if (r.status.code === 'success') state = r.node;
    }
    if (this.bodyStates.size > 100_000) this.bodyStates = new Map();
    this.bodyStates.set(name, { inventory, version: cache.version, state });
    return { ok: true, state };
  }

  async fetchPod(ref: PodRef): Promise<PodObject | null> {
    const get = this.deps.source.getPod;
    if (get === undefined) return null;
    const pod = await get.call(this.deps.source, ref.namespace, ref.name);
    return pod !== null && pod.metadata?.uid === ref.uid ? pod : null;
  }

  bindResult(result: 'bound' | 'conflict' | 'error', error: string): ExtenderBindingResult {
    this.deps.metrics.binds.inc({ result });
    return { Error: error };
  }

  traced<T>(name: string, fn: (span: Span) => T): T {
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

  tracedAsync<T extends { Error: string }>(name: string, fn: (span: Span) => Promise<T>): Promise<T> {
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
export interface Candidate {
  readonly name: string;
  readonly node: WireNode;
}

/** The uid of a pod, or `namespace/name` when it has none. */
export function podKeyOf(pod: WirePod): string {
  const uid = pod.metadata.uid;
  return uid !== undefined && uid !== null && uid !== '' ? uid : `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
}

/** The pod's reference. */
export function podRef(pod: WirePod): PodRef {
  return { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name, uid: pod.metadata.uid ?? '' };
}

/** Parse issues as one line, each with its path. */
export function describeIssues(r: ParseResult<unknown>): string {
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
