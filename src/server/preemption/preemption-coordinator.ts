import { choosePreemption, type PreemptionCandidate, type PreemptionChoice } from '../../algorithm/preemption-choice.js';
import type { RunningPod } from '../../algorithm/preempt.js';
import type { Snapshot } from '../../algorithm/snapshot.js';
import type { ClusterSource, PodObject, PodRef } from '../../cluster/cache/cluster-source.js';
import { EvictionRefusedError } from '../../cluster/cache/cluster-source.js';
import { budgetViolations, guardedPods, selects, type DisruptionBudget } from '../../cluster/cache/disruption-budgets.js';
import type { GpuRequest } from '../../model/gpu-request.js';
import { parseJobGroup } from '../../model/job-group.js';
import type { PreemptionMetrics } from '../../telemetry/metrics.js';
import type { ExtenderContext } from '../extender-context.js';
import { REAL_TIMERS, type Timers } from '../timers.js';

/** Timings of preemption. */
export interface PreemptionSettings {
  /** How long a victim's devices stay held for the preemptor after the victim is gone (it binds well within). */
  readonly holdMs: number;
  /** How long victims are awaited (graceful termination) before Tessera stops keeping their devices for the preemptor. */
  readonly watchMs: number;
  /** After filter found no node: how long Tessera lets kube-scheduler's own preemption act first. */
  readonly graceMs: number;
  /** Least time between two of Tessera's own preemption attempts for one pod. */
  readonly retryMs: number;
  /**
   * How long an attempt keeps trying again (every `retryMs`) while the pod kube-scheduler asked about is not yet in
   * Tessera's watch. kube-scheduler does not ask again until the cluster changes, so giving up at once would leave
   * the pod waiting for minutes.
   */
  readonly unseenMs: number;
  /** Longest wait for one API call (eviction, nomination): a call that never answers must not stall later attempts. */
  readonly apiTimeoutMs: number;
}

/**
 * Defaults: a 60 s hold, victims awaited 5 minutes, 1 s for kube-scheduler first, one attempt per pod every 5 s,
 * a pod not yet watched tried for 30 s, 30 s per API call.
 */
export const DEFAULT_PREEMPTION_SETTINGS: PreemptionSettings = Object.freeze({
  holdMs: 60_000, watchMs: 300_000, graceMs: 1_000, retryMs: 5_000, unseenMs: 30_000, apiTimeoutMs: 30_000,
});

/** One node's victims as the preempt verb answers them. */
export interface PreemptionAnswer {
  readonly node: string;
  /** Victim UIDs, highest priority first. */
  readonly victims: readonly string[];
  readonly pdbViolations: number;
}

/** A pending pod filter found no node for, and the nodes kube-scheduler offered it (its in-tree filters passed them). */
interface Waiting {
  pod: PodObject;
  ref: PodRef;
  request: GpuRequest;
  candidates: readonly string[];
  cancel: (() => void) | null;
  /** ms when filter first found no node for it (bounds the retries while the watch has not seen it). */
  since: number;
}

/**
 * Preemption of GPU pods, on two paths that share one choice (choosePreemption: the node where evicting costs
 * least, and only there) and one guarantee (the victims' devices are held for the preemptor: ClusterCache
 * holdOnRelease, so no third pod takes them in between):
 *
 * - kube-scheduler's: its DefaultPreemption dry run finds in-tree victims on nodes whose advertised totals are
 *   used up and calls the preempt verb, which answers the one node Tessera would pick with Tessera's own victims
 *   (also for candidates sent with no victims, as kube-scheduler versions with PR #135486 do). kube-scheduler
 *   evicts them and nominates the node.
 * - Tessera's own: when filter finds no node and kube-scheduler does not preempt (fragmented GPUs, MIG slices:
 *   the in-tree dry run sees no victim there), Tessera picks among the nodes kube-scheduler offered, nominates
 *   the node (`status.nominatedNodeName`) and evicts the victims through the Eviction API, which enforces
 *   PodDisruptionBudgets.
 *
 * Pods with `preemptionPolicy: Never` and members of all-or-nothing job groups never preempt; only pods of
 * strictly lower priority are victims.
 */
export class PreemptionCoordinator {
  private readonly waiting = new Map<string, Waiting>();
  /** ms of the last own attempt per pod (pruned). */
  private readonly attempted = new Map<string, number>();
  private readonly timers: Timers;
  /** Own attempts run one at a time (each may judge many nodes); this is the tail of that queue. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ExtenderContext,
    private readonly actions: ClusterSource,
    private readonly settings: PreemptionSettings = DEFAULT_PREEMPTION_SETTINGS,
    private readonly metrics: PreemptionMetrics | null = null,
    timers: Timers = REAL_TIMERS,
  ) {
    this.timers = timers;
  }

  /** Whether `pod` may preempt at all: not `preemptionPolicy: Never`, asks for GPUs, not in an all-or-nothing group. */
  eligible(pod: PodObject, request: GpuRequest): boolean {
    const policy = (pod.spec as { preemptionPolicy?: string | null } | null | undefined)?.preemptionPolicy;
    if (policy === 'Never' || request.kind === 'none') return false;
    const group = parseJobGroup(pod as never);
    return !(group.ok && group.value !== null && group.value.minSize !== null);
  }

  /**
   * The preempt verb: the one node among `nodes` where evicting costs least, with Tessera's victims (nodes sent
   * with no victims included), or null. Holds the victims' devices for the pod once kube-scheduler evicts them.
   * While the pod already waits for victims, answers those (kube-scheduler then evicts nothing new).
   */
  answer(pod: PodObject, ref: PodRef, request: GpuRequest, nodes: readonly string[]): PreemptionAnswer | null {
    if (!this.eligible(pod, request)) return null;
    const cache = this.ctx.deps.cache;
    if (cache.hasHolds(ref.uid)) {
      const awaited = cache.awaitedVictims(ref.uid);
      if (awaited === undefined || awaited.victims.length === 0 || !nodes.includes(awaited.node)) return null;
      return { node: awaited.node, victims: awaited.victims, pdbViolations: 0 };
    }
    const found = this.choose(request, nodes, false);
    if (found === null) {
      this.metrics?.preemptions.inc({ path: 'kube-scheduler', result: 'no_candidate' });
      return null;
    }
    cache.holdOnRelease(ref, found.choice.node, found.choice.victims, this.settings.holdMs, this.settings.watchMs);
    this.stopWaiting(ref.uid);
    this.metrics?.preemptions.inc({ path: 'kube-scheduler', result: 'nominated' });
    this.ctx.deps.log.info('preemption: kube-scheduler evicts the victims Tessera chose', {
      pod: `${ref.namespace}/${ref.name}`, node: found.choice.node, victims: found.choice.victims.length,
    });
    return { node: found.choice.node, victims: found.choice.victims, pdbViolations: found.violations };
  }

  /**
   * Filter found no node for `pod`; `candidates` are the nodes it was asked about that more room could help
   * (kube-scheduler's in-tree filters passed them). Unless kube-scheduler's preemption takes over within the
   * grace period, Tessera preempts on the best of them.
   */
  noteUnschedulable(pod: PodObject, ref: PodRef, request: GpuRequest, candidates: readonly string[]): void {
    if (ref.uid === '' || candidates.length === 0 || request.priority <= MIN_PRIORITY || !this.eligible(pod, request)) return;
    if (this.ctx.deps.cache.hasHolds(ref.uid)) return;
    let w = this.waiting.get(ref.uid);
    if (w === undefined) {
      w = { pod, ref, request, candidates, cancel: null, since: this.timers.now() };
      this.waiting.set(ref.uid, w);
    } else {
      w.pod = pod;
      w.request = request;
      w.candidates = candidates;
    }
    if (w.cancel !== null) return;
    const last = this.attempted.get(ref.uid);
    this.arm(w, Math.max(this.settings.graceMs, last === undefined ? 0 : last + this.settings.retryMs - this.timers.now()));
  }

  /** Queues an own attempt for `w` after `delayMs` (attempts run one at a time). */
  private arm(w: Waiting, delayMs: number): void {
    const { ref } = w;
    w.cancel = this.timers.after(delayMs, () => {
      w.cancel = null;
      this.queue = this.queue.then(() => this.attempt(ref.uid)).catch((err: unknown) => {
        this.ctx.deps.log.error('preemption failed', { pod: `${ref.namespace}/${ref.name}`, error: err instanceof Error ? err.message : String(err) });
      });
    });
  }

  /** Forgets a pod (bound, deleted, or kube-scheduler preempted for it). */
  stopWaiting(uid: string): void {
    const w = this.waiting.get(uid);
    w?.cancel?.();
    this.waiting.delete(uid);
  }

  /** Pods Tessera may preempt for, waiting out the grace period (tests, metrics). */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** Tessera's own preemption for one waiting pod: choose, hold, nominate, evict. Resolves when the evictions are done. */
  async attempt(uid: string): Promise<void> {
    const w = this.waiting.get(uid);
    if (w === undefined) return;
    this.waiting.delete(uid);
    const cache = this.ctx.deps.cache;
    // Bound (or binding), or kube-scheduler's preemption already acts for it.
    if (cache.hasHolds(uid) || cache.pod(uid) !== undefined) return;
    if (cache.pendingPod(uid) === undefined) {
      // Deleted, or not yet in the watch (kube-scheduler asked before the pod's event reached Tessera).
      if (this.timers.now() - w.since < this.settings.unseenMs) {
        this.waiting.set(uid, w);
        this.arm(w, this.settings.retryMs);
      } else {
        this.ctx.deps.log.info('preemption given up: the pod is not pending in the watch', { pod: `${w.ref.namespace}/${w.ref.name}` });
      }
      return;
    }
    this.noteAttempt(uid);
    // Judged a few nodes at a time, yielding in between, so filter and bind calls are not held up.
    const found = await this.chooseInSteps(w.request, w.candidates);
    if (cache.pendingPod(uid) === undefined || cache.hasHolds(uid) || cache.pod(uid) !== undefined) return;
    const who = `pod "${w.ref.namespace}/${w.ref.name}"`;
    if (found === null) {
      this.metrics?.preemptions.inc({ path: 'tessera', result: 'no_candidate' });
      this.ctx.deps.log.info('preemption: no node where evicting lower-priority pods makes room', { pod: `${w.ref.namespace}/${w.ref.name}`, nodes: w.candidates.length });
      return;
    }
    const { node, victims } = found.choice;
    const victimRefs = victims.map((v) => cache.pod(v)).filter((p) => p !== undefined);
    if (victimRefs.length !== victims.length) return;
    cache.holdOnRelease(w.ref, node, victims, this.settings.holdMs, this.settings.watchMs);
    this.metrics?.preemptions.inc({ path: 'tessera', result: 'nominated' });
    const names = victimRefs.map((v) => `${v.namespace}/${v.name} (priority ${v.priority})`).join(', ');
    this.ctx.deps.log.info('preemption: Tessera evicts victims', { pod: `${w.ref.namespace}/${w.ref.name}`, node, victims: names });
    this.actions.recordEvent?.(w.ref, 'Normal', 'TesseraPreempting', `evicting ${victims.length} lower-priority ${victims.length === 1 ? 'pod' : 'pods'} on node "${node}" to make room: ${names}`);
    try {
      await this.withinTimeout(this.actions.nominatePod?.(w.ref, node), 'nominate');
    } catch (err) {
      this.ctx.deps.log.warn('cannot set nominatedNodeName', { pod: `${w.ref.namespace}/${w.ref.name}`, node, error: err instanceof Error ? err.message : String(err) });
    }
    // Victims a budget covers go first: if the API server refuses one, nothing has been evicted in vain.
    const budgets = this.actions.disruptionBudgets?.() ?? [];
    const covered = (v: { namespace: string; labels: Readonly<Record<string, string>> }): boolean =>
      budgets.some((b) => b.namespace === v.namespace && selects(b.selector, v.labels));
    const order = [...victimRefs].sort((a, b) => Number(covered(b)) - Number(covered(a)));
    let evicted = 0;
    for (const v of order) {
      // Re-check before each eviction: never evict for a pod that is gone, bound, or no longer waiting here.
      if (cache.pendingPod(uid) === undefined || !cache.hasHolds(uid)) {
        this.ctx.deps.log.info('preemption stopped: the preemptor no longer waits', { pod: `${w.ref.namespace}/${w.ref.name}`, evicted });
        return;
      }
      try {
        await this.evict(v, w.ref, node);
        evicted += 1;
      } catch (err) {
        const refused = err instanceof EvictionRefusedError;
        this.metrics?.evictions.inc({ result: refused ? 'refused' : 'error' });
        this.metrics?.preemptions.inc({ path: 'tessera', result: 'failed' });
        cache.releaseHolds(uid);
        const why = err instanceof Error ? err.message : String(err);
        this.actions.recordEvent?.(w.ref, 'Warning', 'TesseraPreemptionFailed',
          `cannot evict ${v.namespace}/${v.name} on node "${node}" for ${who}: ${why}${evicted > 0 ? ` (${evicted} already evicted)` : ''}`);
        try {
          await this.withinTimeout(this.actions.nominatePod?.(w.ref, ''), 'clear the nomination');
        } catch {
          // The nomination is advisory; kube-scheduler clears it on its next failed attempt anyway.
        }
        return;
      }
    }
  }

  private async evict(v: PodRef, preemptor: PodRef, node: string): Promise<void> {
    if (this.actions.evictPod === undefined) throw new Error('this cluster source cannot evict pods');
    await this.withinTimeout(this.actions.evictPod({ namespace: v.namespace, name: v.name, uid: v.uid }, { preemptor, node }), `evict ${v.namespace}/${v.name}`);
    this.metrics?.evictions.inc({ result: 'evicted' });
  }

  /** `call`, or a rejection once `apiTimeoutMs` passed without an answer (the call itself is not cancelled). */
  private withinTimeout(call: Promise<void> | undefined, what: string): Promise<void> {
    if (call === undefined) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const cancel = this.timers.after(this.settings.apiTimeoutMs, () => reject(new Error(`${what}: no answer within ${String(this.settings.apiTimeoutMs)} ms`)));
      call.then(() => {
        cancel();
        resolve();
      }, (err: unknown) => {
        cancel();
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  private noteAttempt(uid: string): void {
    const now = this.timers.now();
    if (this.attempted.size > 10_000) {
      for (const [k, t] of this.attempted) if (t + this.settings.retryMs < now) this.attempted.delete(k);
    }
    this.attempted.set(uid, now);
  }

  /** choose() in steps of STEP_NODES nodes with a yield between steps, then among the steps' winners. */
  private async chooseInSteps(request: GpuRequest, nodes: readonly string[]): Promise<{ choice: PreemptionChoice; violations: number } | null> {
    if (nodes.length <= STEP_NODES) return this.choose(request, nodes, true);
    const winners: string[] = [];
    for (let i = 0; i < nodes.length; i += STEP_NODES) {
      const found = this.choose(request, nodes.slice(i, i + STEP_NODES), true);
      if (found !== null) winners.push(found.choice.node);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return winners.length === 0 ? null : this.choose(request, winners, true);
  }

  /**
   * The cheapest preemption for `request` over `nodes` (choosePreemption), with its PodDisruptionBudget
   * violations. `strict` (Tessera's own path, which evicts through the Eviction API): pods no budget lets go are
   * never victims, and a set that would break a budget is not chosen.
   */
  private choose(request: GpuRequest, nodes: readonly string[], strict: boolean): { choice: PreemptionChoice; violations: number } | null {
    const cache = this.ctx.deps.cache;
    const snapshot: Snapshot = cache.snapshot();
    const cycle = this.ctx.engine.prefilter(request, snapshot);
    const budgets: readonly DisruptionBudget[] = this.actions.disruptionBudgets?.() ?? [];
    let candidates: PreemptionCandidate[] = [];
    for (const name of new Set(nodes)) {
      const state = snapshot.nodes.get(name);
      if (state === undefined) continue;
      const lower = cache.podsOn(name).filter((p) => p.counted && p.allocation !== null && p.allocation.devices.length > 0
        && p.priority < request.priority && cache.awaitedBy(p.uid) === undefined);
      const guarded = guardedPods(lower, budgets);
      const pods: RunningPod[] = lower.filter((p) => !(strict && guarded.has(p.uid)))
        .map((p) => ({ uid: p.uid, priority: p.priority, allocation: p.allocation as NonNullable<typeof p.allocation>, pdbProtected: guarded.has(p.uid) }));
      if (pods.length > 0) candidates.push({ state, pods });
    }
    while (candidates.length > 0) {
      const choice = choosePreemption(request, candidates, cycle);
      if (choice === null) return null;
      const victims = choice.victims.map((uid) => cache.pod(uid)).filter((p) => p !== undefined);
      const violations = budgetViolations(victims, budgets).size;
      if (!strict || violations === 0) return { choice, violations };
      candidates = candidates.filter((c) => c.state.inventory.name !== choice.node);
    }
    return null;
  }
}

/** Nodes Tessera's own preemption judges between two yields to the event loop. */
const STEP_NODES = 16;

/** Pods at or below this priority never preempt on Tessera's own path (nothing can be below them). */
const MIN_PRIORITY = -2147483648;
