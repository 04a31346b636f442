import type { CycleState } from '../../algorithm/cycle-state.js';
import { planGroup, type GroupMember, type GroupPlan } from '../../algorithm/group-plan.js';
import type { Snapshot } from '../../algorithm/snapshot.js';
import type { PodObject, PodRef } from '../../cluster/cache/cluster-source.js';
import { parseJobGroup, type JobGroup } from '../../model/job-group.js';
import { parseGpuRequest, type PodLike } from '../../model/parse-gpu-request.js';
import { ANNOTATION } from '../../model/well-known-names.js';
import type { PreemptionMetrics } from '../../telemetry/metrics.js';
import type { ExtenderContext } from '../extender-context.js';
import { REAL_TIMERS, type Timers } from '../timers.js';

/** Timing of job-group assembly. */
export interface GroupSettings {
  /**
   * How long the members' binds wait, from the first member's bind, for the group to assemble. Must stay below
   * the extender's `httpTimeout` (10 s in deploy/) minus the two API calls a bind makes.
   */
  readonly waitMs: number;
}

/** Default: 8 s, 2 s under deploy/'s httpTimeout. */
export const DEFAULT_GROUP_SETTINGS: GroupSettings = Object.freeze({ waitMs: 8_000 });

/** One group assembling in bind: the members waiting there and when they give up. */
interface Assembly {
  readonly group: JobGroup & { readonly minSize: number };
  readonly waiting: Map<string, (error: string | null) => void>;
  /** Members other than the waiting ones whose places this assembly holds. */
  readonly held: Set<string>;
  readonly cancel: () => void;
}

/**
 * All-or-nothing job groups (`tessera.io/group` + `tessera.io/group-min-size: N`): none of a group's pods is
 * bound until N of them have places that fit together.
 *
 * ```
 *  filter(member)  the group has < N pods, or its pods do not fit together  -> every node refused (Event says why)
 *  bind(first)     plan the others' places and HOLD them (one step: no other group can take half)
 *                  -> the member's devices are assumed and its bind WAITS
 *  filter(other)   only the node holding its place passes -> bind(other) takes the hold and WAITS
 *  N members hold devices  -> every waiting bind proceeds (annotation + pods/binding)
 *  waitMs after the first bind, fewer than N waiting -> every waiting bind fails, every hold is released
 * ```
 * kube-scheduler binds each pod in its own goroutine, so the binds of one group wait side by side; each answers
 * within waitMs, below the extender's httpTimeout.
 */
export class GroupGate {
  private readonly assemblies = new Map<string, Assembly>();
  private readonly plans = new Map<string, { version: number; plan: GroupPlan }>();
  private readonly timers: Timers;

  constructor(
    private readonly ctx: ExtenderContext,
    private readonly settings: GroupSettings = DEFAULT_GROUP_SETTINGS,
    private readonly metrics: PreemptionMetrics | null = null,
    timers: Timers = REAL_TIMERS,
  ) {
    this.timers = timers;
  }

  /** Groups assembling now (tests, operators). */
  get assembling(): number {
    return this.assemblies.size;
  }

  /**
   * Filter: why no node may take `pod` now because of its group, or null when the group does not hold it back
   * (no minimum size, already assembled, its place is held, or the group's pods fit together).
   */
  filterVerdict(pod: PodObject, ref: PodRef, group: JobGroup, snapshot: Snapshot, cycle: CycleState): string | null {
    if (group.minSize === null) return null;
    const cache = this.ctx.deps.cache;
    const [namespace] = splitKey(group.key);
    const counted = cache.groupMemberCount(namespace, group.name);
    const assembly = this.assemblies.get(group.key);
    if (counted - (assembly?.waiting.size ?? 0) >= group.minSize) return null;
    if (assembly !== undefined || cache.holdsFor(ref.uid).length > 0) return null;
    const members = this.pendingMembers(group, ref, pod);
    const have = counted + members.length;
    if (have < group.minSize) {
      return `job group "${group.key}" has ${have} of ${group.minSize} pods (${ANNOTATION.groupMinSize}): none is bound until ${group.minSize} exist`;
    }
    const plan = this.planFor(group, members.slice(0, group.minSize - counted), snapshot, cycle);
    if (plan.ok) return null;
    return `job group "${group.key}": ${plan.reason}${counted > 0 ? ` (${counted} already placed)` : ''}`;
  }

  /**
   * Bind, once the member's devices are assumed: resolves null when the group has assembled (the bind goes on),
   * or with why not (the caller forgets the assumption and answers the error). The first member of a group
   * holds places for the others; every member waits at most `waitMs` from the first one's bind.
   */
  async arrive(ref: PodRef, group: JobGroup): Promise<string | null> {
    if (group.minSize === null) return null;
    const cache = this.ctx.deps.cache;
    const [namespace] = splitKey(group.key);
    const counted = cache.groupMemberCount(namespace, group.name);
    let assembly = this.assemblies.get(group.key);
    if (counted - (assembly?.waiting.size ?? 0) - 1 >= group.minSize) return null;
    if (assembly === undefined) {
      const refused = this.reserve(ref, { ...group, minSize: group.minSize }, counted);
      if (refused !== null) {
        this.metrics?.groupAssemblies.inc({ result: 'refused' });
        this.ctx.deps.source.reportUnschedulable?.(ref, refused);
        return refused;
      }
      assembly = this.assemblies.get(group.key) as Assembly;
    }
    const a = assembly;
    const done = new Promise<string | null>((resolve) => a.waiting.set(ref.uid, resolve));
    a.held.delete(ref.uid);
    if (counted >= group.minSize) this.assembled(group.key);
    return done;
  }

  /** Holds places for the members still to come; null on success, else why the group cannot assemble. */
  private reserve(first: PodRef, group: JobGroup & { minSize: number }, counted: number): string | null {
    const cache = this.ctx.deps.cache;
    const need = group.minSize - counted;
    const held = new Set<string>();
    if (need > 0) {
      const others = this.pendingMembers(group, first, null).filter((m) => m.key !== first.uid && cache.holdsFor(m.key).length === 0);
      if (others.length < need) {
        return `job group "${group.key}" has ${counted + others.length} of ${group.minSize} pods (${ANNOTATION.groupMinSize}): none is bound until ${group.minSize} exist`;
      }
      const snapshot = cache.snapshot();
      const chosen = others.slice(0, need);
      const plan = planGroup(chosen, snapshot.nodes, this.ctx.engine.prefilter((chosen[0] as GroupMember).req, snapshot),
        { locality: group.locality, placedOn: this.placedOn(group, snapshot) });
      if (!plan.ok) return `job group "${group.key}": ${plan.reason} besides the ${counted} placed`;
      const ttlMs = this.settings.waitMs + 1_000;
      for (const p of plan.placements) {
        const member = chosen.find((m) => m.key === p.key) as GroupMember & { ref: PodRef };
        const status = cache.holdDevices(`group/${group.key}/${p.key}`, member.ref, p.allocation, 'group', ttlMs);
        if (status.code !== 'success') {
          for (const uid of held) cache.releaseHolds(uid);
          return `job group "${group.key}": a planned place was taken meanwhile: ${status.reason}`;
        }
        held.add(p.key);
      }
      // Tell kube-scheduler (and the admin) where each member goes: the status update also brings members that
      // wait in its unschedulable queue back to a scheduling attempt, so the group assembles within the wait.
      for (const p of plan.placements) {
        const member = chosen.find((m) => m.key === p.key) as GroupMember & { ref: PodRef };
        this.nominate(member.ref, p.node);
      }
    }
    const key = group.key;
    const cancel = this.timers.after(this.settings.waitMs, () => this.timedOut(key));
    this.assemblies.set(key, { group, waiting: new Map(), held, cancel });
    return null;
  }

  /** N members wait: let every bind of the group go on, and free places held for members that did not come. */
  private assembled(key: string): void {
    const a = this.assemblies.get(key);
    if (a === undefined) return;
    this.assemblies.delete(key);
    a.cancel();
    for (const uid of a.held) this.ctx.deps.cache.releaseHolds(uid);
    this.metrics?.groupAssemblies.inc({ result: 'bound' });
    this.ctx.deps.log.info('job group assembled: binding its pods', { group: key, pods: a.waiting.size });
    for (const resolve of a.waiting.values()) resolve(null);
  }

  private timedOut(key: string): void {
    const a = this.assemblies.get(key);
    if (a === undefined) return;
    this.assemblies.delete(key);
    for (const uid of a.held) {
      const hold = this.ctx.deps.cache.holdsFor(uid)[0];
      this.ctx.deps.cache.releaseHolds(uid);
      if (hold !== undefined) this.nominate(hold.forPod, '');
    }
    this.metrics?.groupAssemblies.inc({ result: 'timeout' });
    const why = `job group "${key}" did not assemble within ${this.settings.waitMs / 1000} s: ${a.waiting.size} of ${a.group.minSize} pods reached bind`;
    this.ctx.deps.log.warn('job group did not assemble: releasing its pods', { group: key, waiting: a.waiting.size, minSize: a.group.minSize });
    for (const resolve of a.waiting.values()) resolve(why);
  }

  /** Best effort: sets (or clears) a member's status.nominatedNodeName. */
  private nominate(pod: PodRef, node: string): void {
    const actions = this.ctx.deps.actions ?? this.ctx.deps.source;
    actions.nominatePod?.(pod, node).catch((err: unknown) => {
      this.ctx.deps.log.debug('cannot set nominatedNodeName of a job-group member', { pod: `${pod.namespace}/${pod.name}`, node, error: err instanceof Error ? err.message : String(err) });
    });
  }

  /** Pending pods of the group not yet holding assumed devices, by UID, with their requests; `self` counted once. */
  private pendingMembers(group: JobGroup, self: PodRef, selfPod: PodObject | null): (GroupMember & { ref: PodRef })[] {
    const cache = this.ctx.deps.cache;
    const [namespace] = splitKey(group.key);
    const out: (GroupMember & { ref: PodRef })[] = [];
    const add = (pod: PodObject): void => {
      const uid = pod.metadata?.uid ?? '';
      if (uid === '' || cache.pod(uid) !== undefined || out.some((m) => m.key === uid)) return;
      const req = parseGpuRequest(pod as PodLike);
      if (!req.ok) return;
      out.push({ key: uid, req: req.value, ref: { uid, namespace, name: pod.metadata?.name ?? '' } });
    };
    for (const pod of cache.pendingPods()) {
      if ((pod.metadata?.namespace ?? '') !== namespace || pod.metadata?.annotations?.[ANNOTATION.group]?.trim() !== group.name) continue;
      const g = parseJobGroup(pod as never);
      if (!g.ok || g.value === null) continue;
      add(pod);
    }
    if (selfPod !== null && !out.some((m) => m.key === self.uid)) add(selfPod);
    return out.sort((a, b) => (a.key === self.uid ? -1 : b.key === self.uid ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Nodes where the group's pods run now. */
  private placedOn(group: JobGroup, snapshot: Snapshot): readonly string[] {
    return snapshot.groupNodes.get(group.name) ?? [];
  }

  /** The plan for the group's next members, kept per cache version (every member's filter asks the same). */
  private planFor(group: JobGroup, members: readonly GroupMember[], snapshot: Snapshot, cycle: CycleState): GroupPlan {
    const version = this.ctx.deps.cache.version;
    const kept = this.plans.get(group.key);
    if (kept !== undefined && kept.version === version) return kept.plan;
    const plan = planGroup(members, snapshot.nodes, cycle, { locality: group.locality, placedOn: this.placedOn(group, snapshot) });
    if (this.plans.size > 1_000) this.plans.clear();
    this.plans.set(group.key, { version, plan });
    return plan;
  }
}

/** `<namespace>/<group>` split at its first slash. */
function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
