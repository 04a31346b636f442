import type { DeviceAssignment } from '../model/allocation.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { Status } from './status.js';
import type { Snapshot } from './snapshot.js';
import type { SchedulingOptions } from './scheduling-options.js';
import type { PreparedWorkload } from './fragmentation.js';
import type { EvaluationMemo } from './evaluation-memo.js';

/** Where the pod's job group already runs (from Snapshot.groupNodes), for the group-locality part. */
export interface GroupPlaces {
  readonly nodes: ReadonlySet<string>;
  readonly cliques: ReadonlySet<string>;
  readonly racks: ReadonlySet<string>;
  readonly zones: ReadonlySet<string>;
}

/** A planned device: a DeviceAssignment without the node-specific uuid (plans are shared by equal nodes). */
export type PlannedDevice = Omit<DeviceAssignment, 'gpuUuid'>;

/** The outcome of evaluating one node for the cycle's pod: status, planned devices and raw score inputs. */
export interface NodeEvaluation {
  readonly status: Status;
  /** Planned devices (null unless success). */
  readonly devices: readonly PlannedDevice[] | null;
  /** Fragmentation change of the plan (milli-GPU units, FGD-class; negative = less fragmented). */
  readonly fragDelta: number;
  /** Topology quality of the plan, 0..100. */
  readonly topology: number;
  /** Milli-GPU units the plan takes. */
  readonly units: number;
  /** Fragmentation and packing parts (0..100) of the plan. */
  readonly fragmentationPart: number;
  readonly packingPart: number;
  /**
   * Packing value (GPUs) the plan wastes: how much the node's room for the target workload drops beyond the
   * pod's own value (packing-value.ts). 0 when the options do not use it or for replica and MIG requests.
   */
  readonly valueLoss: number;
  /**
   * Weighted sum (not yet divided by the weight total) of the fragmentation, packing and topology parts, minus
   * the value-loss penalty times the weight total.
   */
  readonly partial: number;
}

/**
 * Per-pod scratch computed once by prefilter and read by filter, place and score (kube-scheduler's CycleState).
 * The `evaluations` memo is the only thing written afterwards: a cache of pure results keyed by node state.
 */
export interface CycleState {
  readonly req: GpuRequest;
  readonly options: SchedulingOptions;
  readonly snapshot: Snapshot;
  /** The options' target workload, prepared (from `memo`). */
  readonly workload: PreparedWorkload;
  /** Lowest and highest known price per GPU over the snapshot (null when no node has a price). */
  readonly priceRange: { readonly min: number; readonly max: number } | null;
  /** Where the pod's group runs, or null when the pod has no group or the group runs nowhere yet. */
  readonly group: GroupPlaces | null;
  /** Per product: whether the pod's model list allows it. */
  readonly productAllowed: Map<string, boolean>;
  /**
   * Evaluations by node signature (NodeState.signature) for this request shape and options, from `memo`:
   * shared across cycles of equal shape when the caller keeps one memo (results are pure functions of
   * shape, options and signature).
   */
  readonly evaluations: Map<string, NodeEvaluation>;
  readonly memo: EvaluationMemo;
  /**
   * Pressure per GPU product (packing-value.ts kindPressure) when the value-loss penalty is on and some product
   * is pressed more than others, else null (every product counts 1).
   */
  readonly pressure: ReadonlyMap<string, number> | null;
}

/** What an evaluation depends on in a request (not its group or priority). */
export function shapeKey(req: GpuRequest): string {
  return JSON.stringify([req.kind, req.gpus, req.memoryMiB, req.computeMilli, req.mig, req.models, req.topology, req.interruptible,
    req.tolerations, req.cpuMilli, req.hostMemoryMiB]);
}

function groupPlaces(req: GpuRequest, snapshot: Snapshot): GroupPlaces | null {
  if (req.group === null) return null;
  const names = snapshot.groupNodes.get(req.group);
  if (names === undefined || names.length === 0) return null;
  const nodes = new Set<string>(); const cliques = new Set<string>(); const racks = new Set<string>(); const zones = new Set<string>();
  for (const name of names) {
    nodes.add(name);
    const inv = snapshot.nodes.get(name)?.inventory;
    if (inv === undefined) continue;
    if (inv.clique !== null) cliques.add(inv.clique);
    if (inv.rack !== null) racks.add(inv.rack);
    if (inv.zone !== null) zones.add(inv.zone);
  }
  return { nodes, cliques, racks, zones };
}

/**
 * Computes the per-pod scratch for one scheduling cycle. Pure; cheap (a shape key and the group's places).
 * `memo` keeps node evaluations and the workload's tables across cycles: the caller owns it (one per options;
 * callers without one make a `new EvaluationMemo(options)`), and it must have been made for `options`.
 */
export function prefilter(req: GpuRequest, snapshot: Snapshot, options: SchedulingOptions, memo: EvaluationMemo): CycleState {
  if (memo.options !== options) {
    throw new Error('prefilter: the EvaluationMemo was made for other SchedulingOptions (evaluations depend on them)');
  }
  let pressure: ReadonlyMap<string, number> | null = null;
  let key = shapeKey(req);
  if ((options.valueLossPenalty ?? 0) > 0) {
    const capacity = snapshot.gpuCapacity;
    if (capacity.size > 0) {
      const p = memo.packingValues.pressureFor(capacity);
      const pk = memo.packingValues.pressureKey(p);
      if (pk !== '') { pressure = p; key = `${key}|${pk}`; }
    }
  }
  return {
    req, options, snapshot, workload: memo.workload, priceRange: snapshot.priceRange,
    group: groupPlaces(req, snapshot), productAllowed: new Map(), evaluations: memo.forShape(key), memo, pressure,
  };
}

/**
 * The cycle state for `req`: `cycle` itself when it was prepared for `req` (the normal case), else a state
 * prepared anew for `req` over the same snapshot, options and memo (evaluations are still shared through the
 * memo), so a caller passing an equal but re-parsed request still gets correct answers.
 */
export function cycleFor(req: GpuRequest, cycle: CycleState): CycleState {
  if (req === cycle.req) return cycle;
  return prefilter(req, cycle.snapshot, cycle.options, cycle.memo);
}
