import type { NodeState } from '../../algorithm/node-state.js';
import { GpuCapacityTally, PriceTally } from '../../algorithm/price-tally.js';
import { reserve, unreserve } from '../../algorithm/reserve.js';
import type { Snapshot } from '../../algorithm/snapshot.js';
import type { Status } from '../../algorithm/status.js';
import type { Allocation } from '../../model/allocation.js';
import type { NodeInventory } from '../../model/node-inventory.js';
import { parseGpuRequest, type PodLike } from '../../model/parse-gpu-request.js';
import type { ParseResult } from '../../model/parse-result.js';
import { ANNOTATION } from '../../model/well-known-names.js';
import type { Logger } from '../../telemetry/logger.js';
import type { CacheStats } from '../../telemetry/metrics.js';
import type { ClusterSink, NodeObject, PodObject, PodRef } from './cluster-source.js';
import type { NodeParser } from './node-parser.js';
import type { AllocationChange, AllocationChangeKind } from './allocation-feed.js';
import { ChangeJournal } from './change-journal.js';
import { InventoryInfoInterner } from './inventory-info-interner.js';
import { baseSlot, OverlayMap, type BaseSlot } from './overlay-map.js';

/**
 * Where a pod's devices are in the cache's lifecycle (kube-scheduler's assume cache):
 *
 * ```
 *              nominate()                            confirmNomination() (bind to that node)
 *   (absent) ─────────────> Nominated ─────────────────────────────────────────┐
 *      │                      │ forget(), TTL, pod deleted: devices freed      │
 *      │       assume()       v                  the source reports it bound   v
 *      └────────────────────────────────────────────────────────────────> Assumed ──────> Bound
 *                          │  │                                             │ pod deleted, Succeeded or Failed
 *                          │  │ forget(): the bind failed                   v
 *                          │  └────────────────────────────> (absent)    Released (devices freed, entry dropped)
 *                          │ TTL passed after finishBinding() and the
 *                          │ source never confirmed the bind
 *                          └────────────────────────────────> Expired (devices freed, entry dropped)
 * ```
 * Pods first seen already bound (restart, another replica) enter at Bound. Assumed devices count in every
 * snapshot, so filter and prioritize see binds in flight and a second bind cannot take the same slice.
 * Nominated devices (a pending pod Tessera chose a node for, ahead of kube-scheduler: pod-nominator.ts) count
 * the same way, so the next pods are placed around them.
 */
export type PodPhase = 'nominated' | 'assumed' | 'bound';

/** A pod that holds (or will hold once its node is known) devices. */
export interface CachedPod extends PodRef {
  readonly node: string;
  readonly priority: number;
  readonly group: string | null;
  readonly phase: PodPhase;
  /** The exact devices, or null while the annotation cannot be read (node not cached, or bad annotation). */
  readonly allocation: Allocation | null;
  /** The `tessera.io/allocation` text of `allocation` (null for pods bound without one). */
  readonly annotation: string | null;
  /** True when `allocation` is counted in the node's usage (false when it would over-commit). */
  readonly counted: boolean;
  /** The pod's labels (PodDisruptionBudget selectors match them). */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Devices held for one pending pod and taken for every other (see ClusterCache "holds"): a preemptor's
 * victims' devices once each victim is gone, or the planned place of a job group's member.
 *
 * ```
 *  holdOnRelease(P, victims)      a victim is released         P binds (assumeHeld) / P deleted or bound
 *   (watch) ───────────────────────────> Held ──────────────────────────────────────────────> (dropped)
 *  holdDevices(P, allocation) ─────────> Held      deadline passed ──> Expired (devices freed)
 * ```
 */
export interface DeviceHold {
  readonly id: string;
  readonly forPod: PodRef;
  readonly node: string;
  readonly reason: 'preemption' | 'group';
  readonly allocation: Allocation;
  /** ms epoch after which the hold expires and its devices are free again. */
  readonly deadline: number;
}

interface HoldEntry {
  id: string;
  forPod: PodRef;
  node: string;
  reason: 'preemption' | 'group';
  allocation: Allocation;
  deadline: number;
  counted: boolean;
}

/** A preemptor waiting for its victims: each victim's devices become a hold when the victim is released. */
interface VictimWatch {
  forPod: PodRef;
  node: string;
  victims: Set<string>;
  holdMs: number;
  deadline: number;
}

interface PodEntry {
  ref: PodRef;
  node: string;
  priority: number;
  group: string | null;
  phase: PodPhase;
  annotation: string | null;
  allocation: Allocation | null;
  counted: boolean;
  /** Nominated and assumed only: ms epoch after which the hold expires; null while the bind is in flight. */
  deadline: number | null;
  labels: Readonly<Record<string, string>>;
}

interface NodeEntry {
  inventory: NodeInventory;
  state: NodeState;
  pods: Set<string>;
}

const EMPTY: ReadonlyMap<string, NodeState | undefined> = new Map();

/** Changed nodes after which a snapshot folds its overlay into a new base map. */
const COMPACT_AFTER = 128;
/** Reads of an unchanged snapshot after which its overlay is folded into a plain map. */
const QUIET_READS = 8;

/** Everything the cache needs from outside, injected. */
export interface ClusterCacheDeps {
  readonly nodeParser: NodeParser;
  /** Reads the `tessera.io/allocation` annotation against the node it names (parseAllocationAnnotation). */
  readonly parseAllocation: (text: string, inventory: NodeInventory) => ParseResult<Allocation>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly assumeTtlMs: number;
  readonly log: Logger;
  readonly onNodeParseError?: () => void;
  readonly onExpired?: (pod: PodRef) => void;
  /** Told every allocation change (assumed, bound, released) after its version bump (AllocationFeed.record). */
  readonly onAllocationChange?: (change: AllocationChange) => void;
}

/** Node view for `GET /api/v1/nodes`. */
export interface NodeView {
  readonly inventory: NodeInventory;
  readonly state: NodeState;
  readonly pods: readonly CachedPod[];
}

/**
 * Tessera's cluster state: nodes (as NodeInventory + NodeState) and the pods that hold devices, fed by a
 * ClusterSource through the ClusterSink methods and by the extender's bind through assume/forget. Each
 * mutation bumps `version`; `snapshot()` returns one immutable Snapshot per version.
 */
export class ClusterCache implements ClusterSink {
  private readonly nodes = new Map<string, NodeEntry>();
  private readonly pods = new Map<string, PodEntry>();
  private readonly pending = new Map<string, PodObject>();
  private readonly invalidNodes = new Map<string, string>();
  /** UIDs in phase Nominated or Assumed (so expiry and stats do not scan every pod). */
  private readonly assumed = new Set<string>();
  private versionCounter = 0;
  private snap: { version: number; snapshot: Snapshot; reads: number } | null = null;
  /** Published node states: `baseStates` is shared by snapshots and never mutated (but for its slots' `changedAt`); `changes` since then. */
  private baseStates = new Map<string, BaseSlot<NodeState>>();
  private changes = new Map<string, NodeState | undefined>();
  /** Per job group, per node: counted pods of the group (Snapshot.groupNodes). */
  private readonly groups = new Map<string, Map<string, number>>();
  private groupsChanged = true;
  private groupNodes: ReadonlyMap<string, readonly string[]> = new Map();
  private syncedFlag = false;
  /** Fleet price range kept incrementally (Snapshot.priceRange), so a cycle never rescans every node for it. */
  private readonly prices = new PriceTally();
  /** GPUs per product kept incrementally (Snapshot.gpuCapacity), for the packing values' product pressure. */
  private readonly gpuKinds = new GpuCapacityTally();
  /** Which node changed at which version (readers keeping per-node answers refresh only those). */
  private readonly journal = new ChangeJournal();
  private newPodListener: ((pod: PodObject) => void) | null = null;
  /** Holds by id, the hold ids of each pod they are for, and preemptors' victim watches (by preemptor and by victim). */
  private readonly holds = new Map<string, HoldEntry>();
  private readonly holdsByPod = new Map<string, Set<string>>();
  private readonly watches = new Map<string, VictimWatch>();
  private readonly watchedVictims = new Map<string, string>();
  /** Counted pods per job group and namespace (`<namespace>/<group>`), for all-or-nothing groups. */
  private readonly groupCounts = new Map<string, number>();
  private syncedListener: (() => void) | null = null;
  /** Link matrices, pair scores, masks and idle per-GPU parts shared by the nodes of one structure (board model). */
  private readonly infos = new InventoryInfoInterner();

  constructor(private readonly deps: ClusterCacheDeps) {}

  /** Bumped on every change that can alter a scheduling decision. */
  get version(): number {
    return this.versionCounter;
  }

  /** Nodes in the cache (constant time: request limits read it on every request). */
  get nodeCount(): number {
    return this.nodes.size;
  }

  /** True once the source has listed everything (readiness). */
  get synced(): boolean {
    return this.syncedFlag;
  }

  // ---- ClusterSink ----

  /** @inheritdoc */
  upsertNode(node: NodeObject): void {
    const name = node.metadata?.name;
    if (typeof name !== 'string' || name === '') {
      this.deps.log.warn('ignoring node without metadata.name');
      return;
    }
    const parsed = this.deps.nodeParser.parse(node);
    if (!parsed.ok) {
      this.deps.onNodeParseError?.();
      const reason = parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
      this.deps.log.warn('cannot read node inventory: node left out of scheduling', { node: name, reason });
      this.invalidNodes.set(name, reason);
      this.removeNode(name);
      return;
    }
    this.invalidNodes.delete(name);
    const existing = this.nodes.get(name);
    if (existing !== undefined && existing.inventory === parsed.value) return;
    const entry: NodeEntry = { inventory: parsed.value, state: this.infos.idleState(parsed.value), pods: existing?.pods ?? new Set() };
    if (existing === undefined) {
      for (const [uid, pod] of this.pods) if (pod.node === name) entry.pods.add(uid);
    }
    const products = entry.inventory.gpus.map((g) => g.product);
    const before = existing?.inventory.gpus.map((g) => g.product);
    if (existing !== undefined) this.prices.remove(existing.state.pricePerGpu);
    this.prices.add(entry.state.pricePerGpu);
    // Only a change of GPU products makes a new capacity object (standing answers are reset when it changes).
    if (before === undefined || before.join('\u0000') !== products.join('\u0000')) {
      if (before !== undefined) this.gpuKinds.remove(before);
      this.gpuKinds.add(products);
    }
    this.nodes.set(name, entry);
    this.recordChange(name, entry.state);
    for (const uid of entry.pods) {
      const pod = this.pods.get(uid);
      if (pod === undefined) continue;
      if (pod.counted) this.trackGroup(pod, -1);
      pod.counted = false;
      if (pod.annotation !== null) pod.allocation = this.readAllocation(pod, entry.inventory);
      this.count(entry, pod);
    }
    for (const hold of this.holds.values()) {
      if (hold.node !== name) continue;
      hold.counted = false;
      const r = reserve(entry.state, hold.allocation);
      if (r.status.code === 'success') {
        this.setState(entry, r.node);
        hold.counted = true;
      }
    }
    this.bump();
  }

  /** @inheritdoc */
  deleteNode(name: string): void {
    this.invalidNodes.delete(name);
    this.removeNode(name);
  }

  /**
   * Calls `listener` with every pod the cache sees for the first time (pending or bound, finished pods
   * excluded), including each pod of the initial list after a restart: the workload learner's input.
   */
  onNewPod(listener: (pod: PodObject) => void): void {
    this.newPodListener = listener;
  }

  /** @inheritdoc */
  upsertPod(pod: PodObject): void {
    const meta = pod.metadata;
    const uid = meta?.uid;
    if (typeof uid !== 'string' || uid === '') {
      this.deps.log.warn('ignoring pod without metadata.uid', { pod: `${meta?.namespace ?? ''}/${meta?.name ?? ''}` });
      return;
    }
    const phase = pod.status?.phase;
    if (this.newPodListener !== null && phase !== 'Succeeded' && phase !== 'Failed' && !this.pending.has(uid) && !this.pods.has(uid)) {
      this.newPodListener(pod);
    }
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.pending.delete(uid);
      this.release(uid);
      return;
    }
    const nodeName = pod.spec?.nodeName;
    if (typeof nodeName !== 'string' || nodeName === '') {
      // Pending: remembered for bind; an assumed pod is still pending in the source's eyes until confirmed.
      this.pending.set(uid, pod);
      return;
    }
    this.pending.delete(uid);
    // A pod that holds devices while pending no longer needs them once bound (through Tessera or not).
    if (this.holdsByPod.has(uid) || this.watches.has(uid)) this.releaseHolds(uid);
    const annotation = meta?.annotations?.[ANNOTATION.allocation] ?? null;
    const existing = this.pods.get(uid);
    if (existing !== undefined && existing.node === nodeName && existing.annotation === annotation) {
      if (existing.phase !== 'bound') {
        existing.phase = 'bound';
        existing.deadline = null;
        this.assumed.delete(uid);
        this.bump();
        this.tellAllocation('bound', existing);
      }
      return;
    }
    if (existing !== undefined) this.release(uid);
    // Bound without a Tessera allocation (a pod kube-scheduler placed alone, such as a CPU-only pod): it holds no
    // devices Tessera tracks, but its CPU and memory requests are taken from the node all the same.
    const host = annotation === null ? hostOnlyAllocation(pod, nodeName) : null;
    if (annotation === null && host === null) return;
    const entry: PodEntry = {
      ref: { uid, namespace: meta?.namespace ?? '', name: meta?.name ?? '' },
      node: nodeName,
      priority: pod.spec?.priority ?? 0,
      group: meta?.annotations?.[ANNOTATION.group] ?? null,
      phase: 'bound',
      annotation,
      allocation: host,
      counted: false,
      deadline: null,
      labels: { ...(meta?.labels ?? {}) },
    };
    this.pods.set(uid, entry);
    const node = this.nodes.get(nodeName);
    if (node !== undefined) {
      node.pods.add(uid);
      entry.allocation = this.readAllocation(entry, node.inventory);
      this.count(node, entry);
    }
    this.bump();
    this.tellAllocation('bound', entry);
  }

  /** @inheritdoc */
  deletePod(uid: string): void {
    this.pending.delete(uid);
    if (this.holdsByPod.has(uid) || this.watches.has(uid)) this.releaseHolds(uid);
    this.release(uid);
  }

  /** @inheritdoc */
  markSynced(): void {
    const first = !this.syncedFlag;
    this.syncedFlag = true;
    if (first) this.syncedListener?.();
  }

  /** Calls `listener` once, when the source has listed every node and pod for the first time. */
  onSynced(listener: () => void): void {
    this.syncedListener = listener;
  }

  // ---- assume cache ----

  /**
   * Holds `allocation`'s devices for a bind in flight. Re-validates against the current usage (reserve never
   * over-commits), so of two binds racing for one slice exactly one succeeds. Synchronous: nothing else runs
   * between the check and the hold.
   */
  assume(ref: PodRef, allocation: Allocation, annotation: string, priority: number, group: string | null,
    labels?: Readonly<Record<string, string>> | null): Status {
    if (this.pods.has(ref.uid)) {
      return { code: 'unschedulable', reason: `pod "${ref.namespace}/${ref.name}" already holds devices on node "${this.pods.get(ref.uid)?.node ?? ''}"` };
    }
    const node = this.nodes.get(allocation.node);
    if (node === undefined) return { code: 'unresolvable', reason: `node "${allocation.node}" is not in the cluster cache` };
    const r = reserve(node.state, allocation);
    if (r.status.code !== 'success') return r.status;
    this.setState(node, r.node);
    node.pods.add(ref.uid);
    const entry: PodEntry = {
      ref, node: allocation.node, priority, group, phase: 'assumed', annotation, allocation, counted: true, deadline: null,
      labels: { ...(labels ?? this.pending.get(ref.uid)?.metadata?.labels ?? {}) },
    };
    this.pods.set(ref.uid, entry);
    this.trackGroup(entry, 1);
    this.assumed.add(ref.uid);
    this.bump();
    this.tellAllocation('assumed', entry);
    return r.status;
  }

  /**
   * Holds `allocation`'s devices for a pending pod Tessera nominated the node for, until it is bound there
   * (`confirmNomination`), forgotten, deleted, or `ttlMs` passes. Re-validated as `assume` is.
   */
  nominate(ref: PodRef, allocation: Allocation, annotation: string, priority: number, group: string | null, ttlMs: number): Status {
    const status = this.assume(ref, allocation, annotation, priority, group);
    const pod = this.pods.get(ref.uid);
    if (status.code === 'success' && pod !== undefined) {
      pod.phase = 'nominated';
      pod.deadline = this.deps.now() + ttlMs;
    }
    return status;
  }

  /** The nominated pod is being bound to its node: its hold becomes an assumption (bind in flight). False when it holds no nomination there. */
  confirmNomination(uid: string, node: string): boolean {
    const pod = this.pods.get(uid);
    if (pod === undefined || pod.phase !== 'nominated' || pod.node !== node) return false;
    pod.phase = 'assumed';
    pod.deadline = null;
    return true;
  }

  /** The bind call returned: the assumption now expires after the TTL unless the source confirms it. */
  finishBinding(uid: string): void {
    const pod = this.pods.get(uid);
    if (pod !== undefined && pod.phase === 'assumed') pod.deadline = this.deps.now() + this.deps.assumeTtlMs;
  }

  /** The bind failed (or a nomination is given up): drops the hold and frees its devices. No-op for confirmed pods. */
  forget(uid: string): void {
    const pod = this.pods.get(uid);
    if (pod !== undefined && pod.phase !== 'bound') this.release(uid);
  }

  /** Drops assumptions (and holds) whose TTL passed; returns how many assumptions expired. Called by snapshot() and a timer. */
  expire(): number {
    if (this.holds.size > 0 || this.watches.size > 0) this.expireHolds();
    if (this.assumed.size === 0) return 0;
    const now = this.deps.now();
    let n = 0;
    for (const uid of [...this.assumed]) {
      const pod = this.pods.get(uid);
      if (pod !== undefined && pod.phase !== 'bound' && pod.deadline !== null && pod.deadline <= now) {
        this.release(uid);
        if (pod.phase === 'nominated') {
          this.deps.log.debug('nomination expired: the pod was not bound to its nominated node in time', { pod: `${pod.ref.namespace}/${pod.ref.name}`, node: pod.node });
          continue;
        }
        this.deps.log.warn('assumed pod expired: the cluster never confirmed its bind', { pod: `${pod.ref.namespace}/${pod.ref.name}`, node: pod.node });
        this.deps.onExpired?.(pod.ref);
        n += 1;
      }
    }
    return n;
  }

  // ---- holds: devices kept for one pending pod ----

  /**
   * Holds `allocation`'s devices for `forPod` for `ttlMs`: every snapshot counts them, so no
   * other pod's filter or bind can take them; `forPod`'s own filter and bind see them free (holdsFor) and its
   * bind takes them over (assumeHeld). Re-validated like assume(): fails without change when the devices are
   * not free now.
   */
  holdDevices(id: string, forPod: PodRef, allocation: Allocation, reason: 'preemption' | 'group', ttlMs: number): Status {
    const deadline = this.deps.now() + ttlMs;
    if (this.holds.has(id)) return { code: 'unschedulable', reason: `hold "${id}" exists already` };
    const node = this.nodes.get(allocation.node);
    if (node === undefined) return { code: 'unresolvable', reason: `node "${allocation.node}" is not in the cluster cache` };
    const r = reserve(node.state, allocation);
    if (r.status.code !== 'success') return r.status;
    this.setState(node, r.node);
    this.addHold({ id, forPod, node: allocation.node, reason, allocation, deadline, counted: true });
    this.bump();
    return r.status;
  }

  /**
   * Preemption: when each of `victims` (pods on `node`) is released, its devices are not freed but held for
   * `forPod` for `holdMs` (see holdDevices). Victims not released within `watchMs` are no longer watched. Replaces
   * an earlier watch of `forPod`. Changes no node state until a victim goes.
   */
  holdOnRelease(forPod: PodRef, node: string, victims: readonly string[], holdMs: number, watchMs: number): void {
    this.dropWatch(forPod.uid);
    const watch: VictimWatch = { forPod, node, victims: new Set(victims), holdMs, deadline: this.deps.now() + watchMs };
    this.watches.set(forPod.uid, watch);
    for (const v of victims) this.watchedVictims.set(v, forPod.uid);
  }

  /** The devices held for `podUid` now (victims not yet gone are not listed). */
  holdsFor(podUid: string): DeviceHold[] {
    const ids = this.holdsByPod.get(podUid);
    if (ids === undefined) return [];
    const out: DeviceHold[] = [];
    for (const id of ids) {
      const h = this.holds.get(id);
      if (h !== undefined && h.counted) out.push(holdView(h));
    }
    return out;
  }

  /** True while `podUid` has held devices or victims it is waiting for. */
  hasHolds(podUid: string): boolean {
    return this.holdsByPod.has(podUid) || this.watches.has(podUid);
  }

  /** The node and victims still awaited for a preemptor, or undefined. */
  awaitedVictims(podUid: string): { node: string; victims: readonly string[] } | undefined {
    const w = this.watches.get(podUid);
    return w === undefined ? undefined : { node: w.node, victims: [...w.victims] };
  }

  /** The preemptor awaiting `victimUid`, or undefined (a victim is chosen for one preemptor only). */
  awaitedBy(victimUid: string): string | undefined {
    return this.watchedVictims.get(victimUid);
  }

  /** Every hold, sorted by node then id (operators' view). */
  allHolds(): DeviceHold[] {
    return [...this.holds.values()].filter((h) => h.counted).map(holdView)
      .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : a.id < b.id ? -1 : 1));
  }

  /** Drops every hold and victim watch of `podUid` (its devices are free again); returns how many holds went. */
  releaseHolds(podUid: string): number {
    this.dropWatch(podUid);
    const ids = this.holdsByPod.get(podUid);
    if (ids === undefined) return 0;
    let n = 0;
    for (const id of [...ids]) {
      this.dropHold(id);
      n += 1;
    }
    this.bump();
    return n;
  }

  /**
   * assume() for a pod that may hold devices: its holds are released and the allocation reserved in one step,
   * so its own held devices can be part of it and no other pod can take them in between. When the allocation
   * does not fit, nothing changes (the holds stay).
   */
  assumeHeld(ref: PodRef, allocation: Allocation, annotation: string, priority: number, group: string | null,
    labels?: Readonly<Record<string, string>> | null): Status {
    const ids = this.holdsByPod.get(ref.uid);
    if (ids === undefined) return this.assume(ref, allocation, annotation, priority, group, labels);
    const kept = [...ids].map((id) => this.holds.get(id)).filter((h): h is HoldEntry => h !== undefined);
    const watch = this.watches.get(ref.uid);
    for (const h of kept) this.dropHold(h.id);
    const status = this.assume(ref, allocation, annotation, priority, group, labels);
    if (status.code === 'success') {
      this.dropWatch(ref.uid);
      return status;
    }
    // Put the holds back exactly as they were (their devices were free a moment ago).
    for (const h of kept) {
      const node = this.nodes.get(h.node);
      if (node !== undefined && h.counted) {
        const r = reserve(node.state, h.allocation);
        if (r.status.code === 'success') this.setState(node, r.node);
        else h.counted = false;
      }
      this.addHold(h);
    }
    if (watch !== undefined && !this.watches.has(ref.uid)) this.watches.set(ref.uid, watch);
    this.bump();
    return status;
  }

  /** Counted pods of job group `group` in `namespace` (bound or assumed). */
  groupMemberCount(namespace: string, group: string): number {
    return this.groupCounts.get(`${namespace}/${group}`) ?? 0;
  }

  /** Pending pods the source reported (not yet bound). */
  pendingPods(): IterableIterator<PodObject> {
    return this.pending.values();
  }

  // ---- reads ----

  /** One immutable view for a scheduling decision (rebuilt only when the version changed). */
  snapshot(): Snapshot {
    this.expire();
    if (this.snap !== null && this.snap.version === this.versionCounter) {
      // A quiet cluster: fold the overlay away so lookups hit one plain map (same version, same content).
      this.snap.reads += 1;
      if (this.changes.size === 0 || this.snap.reads < QUIET_READS) return this.snap.snapshot;
    }
    if (this.groupsChanged) {
      const groupNodes = new Map<string, readonly string[]>();
      for (const [group, nodes] of this.groups) groupNodes.set(group, [...nodes.keys()].sort());
      this.groupNodes = groupNodes;
      this.groupsChanged = false;
    }
    // Fold the changes into a new base now and then; in between a snapshot costs O(changes), not O(nodes).
    if (this.changes.size > COMPACT_AFTER || (this.snap !== null && this.snap.version === this.versionCounter)) {
      // Unchanged slots are shared with the old base: a later change marks them at a version newer than every
      // view of the old base, which then keeps reading the slot's value.
      const base = new Map(this.baseStates);
      for (const [name, state] of this.changes) {
        if (state === undefined) base.delete(name);
        else base.set(name, baseSlot(state));
      }
      this.baseStates = base;
      this.changes = new Map();
    }
    const nodes: ReadonlyMap<string, NodeState> = new OverlayMap(this.baseStates, this.changes.size === 0 ? EMPTY : new Map(this.changes), this.nodes.size, this.versionCounter);
    const snapshot: Snapshot = { nodes, groupNodes: this.groupNodes, priceRange: this.prices.range(), gpuCapacity: this.gpuKinds.capacity() };
    this.snap = { version: this.versionCounter, snapshot, reads: 0 };
    return snapshot;
  }

  /**
   * Nodes whose state changed after the snapshot of `version` (a name may repeat), or null when the cache no
   * longer remembers that far back (then treat every node as changed).
   */
  changedSince(version: number): string[] | null {
    return this.journal.since(version);
  }

  /** The cached inventory of `name`, or undefined. */
  inventory(name: string): NodeInventory | undefined {
    return this.nodes.get(name)?.inventory;
  }

  /** The current state of `name`, or undefined. */
  nodeState(name: string): NodeState | undefined {
    return this.nodes.get(name)?.state;
  }

  /** Why `name` is not schedulable when its inventory could not be read, or undefined. */
  invalidReason(name: string): string | undefined {
    return this.invalidNodes.get(name);
  }

  /** Pods holding counted devices on `name` (preemption candidates). */
  podsOn(name: string): CachedPod[] {
    const node = this.nodes.get(name);
    if (node === undefined) return [];
    const out: CachedPod[] = [];
    for (const uid of node.pods) {
      const pod = this.pods.get(uid);
      if (pod !== undefined) out.push(view(pod));
    }
    return out;
  }

  /** A pod holding devices, or undefined. */
  pod(uid: string): CachedPod | undefined {
    const pod = this.pods.get(uid);
    return pod === undefined ? undefined : view(pod);
  }

  /** A pending pod the source reported (bind looks the request up here), or undefined. */
  pendingPod(uid: string): PodObject | undefined {
    return this.pending.get(uid);
  }

  /** Every node with its state and pods, sorted by name. */
  nodeViews(): NodeView[] {
    this.expire();
    return [...this.nodes.keys()].sort().map((name) => {
      const node = this.nodes.get(name) as NodeEntry;
      return { inventory: node.inventory, state: node.state, pods: this.podsOn(name) };
    });
  }

  /** Figures for the scrape-time gauges. */
  stats(): CacheStats {
    const assumedPods = this.assumed.size;
    const gpus = new Map<string, { total: number; allocated: number }>();
    for (const node of this.nodes.values()) {
      node.inventory.gpus.forEach((gpu, i) => {
        const g = gpus.get(gpu.product) ?? { total: 0, allocated: 0 };
        g.total += 1;
        g.allocated += Math.min(1, Math.max(0, 1 - (node.state.idle[i] ?? 1000) / 1000));
        gpus.set(gpu.product, g);
      });
    }
    return { nodes: this.nodes.size, assumedPods, gpus };
  }

  // ---- internals ----

  private bump(): void {
    this.versionCounter += 1;
  }

  private addHold(h: HoldEntry): void {
    this.holds.set(h.id, h);
    let ids = this.holdsByPod.get(h.forPod.uid);
    if (ids === undefined) {
      ids = new Set();
      this.holdsByPod.set(h.forPod.uid, ids);
    }
    ids.add(h.id);
  }

  /** Removes one hold and frees its devices (no version bump: callers bump once). */
  private dropHold(id: string): void {
    const h = this.holds.get(id);
    if (h === undefined) return;
    this.holds.delete(id);
    const ids = this.holdsByPod.get(h.forPod.uid);
    ids?.delete(id);
    if (ids !== undefined && ids.size === 0) this.holdsByPod.delete(h.forPod.uid);
    const node = this.nodes.get(h.node);
    if (node !== undefined && h.counted) this.setState(node, unreserve(node.state, h.allocation));
  }

  private dropWatch(podUid: string): void {
    const w = this.watches.get(podUid);
    if (w === undefined) return;
    this.watches.delete(podUid);
    for (const v of w.victims) if (this.watchedVictims.get(v) === podUid) this.watchedVictims.delete(v);
  }

  private expireHolds(): void {
    const now = this.deps.now();
    let changed = false;
    for (const [uid, w] of [...this.watches]) if (w.deadline <= now) this.dropWatch(uid);
    for (const h of [...this.holds.values()]) {
      if (h.deadline > now) continue;
      this.deps.log.info('device hold expired: devices are free again', { pod: `${h.forPod.namespace}/${h.forPod.name}`, node: h.node, reason: h.reason });
      this.dropHold(h.id);
      changed = true;
    }
    if (changed) this.bump();
  }

  private readAllocation(pod: PodEntry, inventory: NodeInventory): Allocation | null {
    if (pod.annotation === null) return pod.allocation;
    const parsed = this.deps.parseAllocation(pod.annotation, inventory);
    if (parsed.ok) return parsed.value;
    this.deps.log.warn('cannot read pod allocation annotation: its devices are not counted', {
      pod: `${pod.ref.namespace}/${pod.ref.name}`, node: pod.node,
      reason: parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '),
    });
    return null;
  }

  /** Drops a node; its pods stay (uncounted) and are counted again if the node comes back. */
  private removeNode(name: string): void {
    const node = this.nodes.get(name);
    if (node === undefined) return;
    for (const uid of node.pods) {
      const pod = this.pods.get(uid);
      if (pod === undefined || !pod.counted) continue;
      this.trackGroup(pod, -1);
      pod.counted = false;
    }
    this.prices.remove(node.state.pricePerGpu);
    this.gpuKinds.remove(node.inventory.gpus.map((g) => g.product));
    this.nodes.delete(name);
    this.recordChange(name, undefined);
    this.bump();
  }

  private setState(node: NodeEntry, state: NodeState): void {
    node.state = state;
    this.recordChange(node.inventory.name, state);
  }

  /** A node changed (undefined: deleted): published by the next snapshot; its base slot notes when. */
  private recordChange(name: string, state: NodeState | undefined): void {
    this.changes.set(name, state);
    this.journal.record(this.versionCounter, name);
    const slot = this.baseStates.get(name);
    if (slot !== undefined && slot.changedAt === Infinity) slot.changedAt = this.versionCounter;
  }

  private trackGroup(pod: PodEntry, delta: 1 | -1): void {
    if (pod.group === null) return;
    const key = `${pod.ref.namespace}/${pod.group}`;
    const members = (this.groupCounts.get(key) ?? 0) + delta;
    if (members > 0) this.groupCounts.set(key, members);
    else this.groupCounts.delete(key);
    let nodes = this.groups.get(pod.group);
    if (nodes === undefined) {
      nodes = new Map();
      this.groups.set(pod.group, nodes);
    }
    const n = (nodes.get(pod.node) ?? 0) + delta;
    if (n > 0) nodes.set(pod.node, n);
    else nodes.delete(pod.node);
    if (nodes.size === 0) this.groups.delete(pod.group);
    this.groupsChanged = true;
  }

  private count(node: NodeEntry, pod: PodEntry): void {
    if (pod.allocation === null || pod.counted) return;
    const r = reserve(node.state, pod.allocation);
    if (r.status.code === 'success') {
      this.setState(node, r.node);
      pod.counted = true;
      this.trackGroup(pod, 1);
    } else {
      const reason = r.status.reason;
      this.deps.log.warn('pod allocation over-commits its node: not counted', { pod: `${pod.ref.namespace}/${pod.ref.name}`, node: pod.node, reason });
    }
  }

  private release(uid: string): void {
    const pod = this.pods.get(uid);
    if (pod === undefined) return;
    this.pods.delete(uid);
    this.assumed.delete(uid);
    const node = this.nodes.get(pod.node);
    const heldFor = this.watchedVictims.get(uid);
    const watch = heldFor === undefined ? undefined : this.watches.get(heldFor);
    if (watch !== undefined) {
      this.watchedVictims.delete(uid);
      watch.victims.delete(uid);
      if (watch.victims.size === 0) this.watches.delete(watch.forPod.uid);
    }
    if (node !== undefined) {
      node.pods.delete(uid);
      if (pod.counted && pod.allocation !== null) {
        if (watch !== undefined && watch.node === pod.node) {
          // A preemptor's victim: its devices stay taken, now held for the preemptor (state unchanged).
          const deadline = this.deps.now() + watch.holdMs;
          this.addHold({ id: `victim/${uid}`, forPod: watch.forPod, node: pod.node, reason: 'preemption', allocation: pod.allocation, deadline, counted: true });
          if (this.watches.has(watch.forPod.uid)) watch.deadline = Math.max(watch.deadline, deadline);
        } else {
          this.setState(node, unreserve(node.state, pod.allocation));
        }
      }
    }
    if (pod.counted) this.trackGroup(pod, -1);
    this.bump();
    this.tellAllocation('released', pod);
  }

  private tellAllocation(kind: AllocationChangeKind, pod: PodEntry): void {
    this.deps.onAllocationChange?.({ version: this.versionCounter, kind, pod: pod.ref, node: pod.node, allocation: pod.allocation });
  }
}

/** A hold as readers see it. */
function holdView(h: HoldEntry): DeviceHold {
  return { id: h.id, forPod: h.forPod, node: h.node, reason: h.reason, allocation: h.allocation, deadline: h.deadline };
}

/** The host CPU and memory a pod without Tessera's allocation holds on `node` (no devices), or null when it asks for neither. */
function hostOnlyAllocation(pod: PodObject, node: string): Allocation | null {
  const parsed = parseGpuRequest(pod as PodLike);
  if (!parsed.ok || (parsed.value.cpuMilli <= 0 && parsed.value.hostMemoryMiB <= 0)) return null;
  return { node, devices: [], cpuMilli: parsed.value.cpuMilli, memoryMiB: parsed.value.hostMemoryMiB };
}

function view(pod: PodEntry): CachedPod {
  return {
    ...pod.ref, node: pod.node, priority: pod.priority, group: pod.group, phase: pod.phase,
    allocation: pod.allocation, annotation: pod.annotation, counted: pod.counted, labels: pod.labels,
  };
}
