import type { DeviceAssignment } from '../model/allocation.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { CycleState, NodeEvaluation, PlannedDevice } from './cycle-state.js';
import { evaluateMig } from './evaluate-mig.js';
import { evaluateReplica } from './evaluate-replica.js';
import { evaluateShare } from './evaluate-share.js';
import { evaluateWhole } from './evaluate-whole.js';
import { fragmentationDelta } from './fragmentation.js';
import { popcount } from './inventory-info.js';
import type { NodeState } from './node-state.js';
import { rejected, UNSCORED } from './plan-evaluation.js';
import { clampPart, fragmentationPart as fragmentationPartOf, packingPart as packingPartOf } from './score-parts.js';
import type { Status } from './status.js';
import { unresolvable, unschedulable } from './status.js';
import { valueLoss } from './value-loss.js';
import { invisibleReason, visibleMask } from './visible-mask.js';

/*
 * A node's evaluation for the cycle's pod: the checks every kind shares (spot, host CPU and memory, which GPUs the
 * pod may see), then one module per request kind (evaluate-whole.ts, evaluate-share.ts, evaluate-replica.ts,
 * evaluate-mig.ts) plans the devices, and the score parts are added once per node signature.
 */

/** Evaluates `node` for the cycle's pod once (memoised in the cycle): status, planned devices, score inputs. */
export function evaluateNode(node: NodeState, cycle: CycleState): NodeEvaluation {
  let e = cycle.evaluations.get(node.signature);
  if (e === undefined) {
    e = withParts(computeEvaluation(cycle.req, node, cycle), node, cycle);
    cycle.evaluations.set(node.signature, e);
    cycle.memo.noteAdded();
  }
  return e;
}

/** Adds the signature-determined score parts (fragmentation, packing, topology) to an evaluation. */
function withParts(e: NodeEvaluation, node: NodeState, cycle: CycleState): NodeEvaluation {
  if (e.status.code !== 'success') return e;
  const w = cycle.options.weights;
  const fragmentationPart = fragmentationPartOf(e.fragDelta, cycle.options.fragmentationScale);
  const packingPart = packingPartOf(node, cycle.req, e.units);
  const total = w.fragmentation + w.packing + w.topology + w.cost + w.spot + w.groupLocality;
  const penalty = (cycle.options.valueLossPenalty ?? 0) * e.valueLoss * total;
  const partial = w.fragmentation * fragmentationPart + w.packing * packingPart + w.topology * clampPart(e.topology) - penalty;
  return { ...e, fragmentationPart, packingPart, partial };
}

/**
 * True when the node certainly cannot take the pod, judged from the precomputed summaries alone (O(1), no
 * strings). False means "evaluate it". Used to skip most nodes quickly in scheduleOne.
 */
export function quickReject(node: NodeState, cycle: CycleState): boolean {
  const req = cycle.req;
  if (node.spot && !req.interruptible) return true;
  if (req.cpuMilli > node.cpuFreeMilli || req.hostMemoryMiB > node.memoryFreeMiB) return true;
  if (req.kind !== 'mig' && req.gpus <= 0) return false;
  const k = req.gpus;
  switch (req.kind) {
    case 'none': return false;
    case 'whole':
      if (node.freeWholeCount < k) return true;
      return req.topology === 'nvlink-required' && k > 1 && node.largestFreeNvIsland < k;
    case 'share':
      return node.shareMaxFreeMemoryMiB < req.memoryMiB || node.shareMaxFreeComputeMilli < req.computeMilli
        || node.fractionalCount < k;
    case 'replica': return popcount(node.replicaFreeMask) < k;
    case 'mig': return node.migFreeSlices <= 0;
  }
}

/** Rejects when the node's host CPU or memory can never (unresolvable) or not now (unschedulable) hold the pod. */
function hostStatus(req: GpuRequest, node: NodeState): Status | null {
  const inv = node.inventory;
  if (inv.cpuMilli > 0 && req.cpuMilli > 0) {
    if (req.cpuMilli > inv.cpuMilli) return unresolvable(`need ${req.cpuMilli} CPU milli: node has ${inv.cpuMilli} allocatable`);
    if (req.cpuMilli > node.cpuFreeMilli) return unschedulable(`need ${req.cpuMilli} CPU milli free: node has ${Math.max(0, node.cpuFreeMilli)} free`);
  }
  if (inv.memoryMiB > 0 && req.hostMemoryMiB > 0) {
    if (req.hostMemoryMiB > inv.memoryMiB) return unresolvable(`need ${req.hostMemoryMiB} MiB host memory: node has ${inv.memoryMiB} allocatable`);
    if (req.hostMemoryMiB > node.memoryFreeMiB) {
      return unschedulable(`need ${req.hostMemoryMiB} MiB host memory free: node has ${Math.max(0, node.memoryFreeMiB)} free`);
    }
  }
  return null;
}

/** The evaluation before its score parts: the checks every kind shares, then the request kind's own module. */
function computeEvaluation(req: GpuRequest, node: NodeState, cycle: CycleState): NodeEvaluation {
  if (node.inventory.capacityType === 'spot' && !req.interruptible) return rejected(unresolvable('node is spot and the pod is not interruptible'));
  const host = hostStatus(req, node);
  if (host !== null) return rejected(host);
  if (req.kind === 'none' || (req.kind !== 'mig' && req.gpus <= 0)) {
    return { ...UNSCORED, devices: [], fragDelta: fragmentationDelta(node, cycle.workload, [], req.cpuMilli), topology: 100, valueLoss: valueLoss(node, cycle, []) };
  }
  const visible = visibleMask(node, cycle);
  if (visible === 0) return rejected(unresolvable(invisibleReason(node, cycle)));
  switch (req.kind) {
    case 'whole': return evaluateWhole(req, node, cycle, visible);
    case 'share': return evaluateShare(req, node, cycle, visible);
    case 'replica': return evaluateReplica(req, node, cycle, visible);
    case 'mig': return evaluateMig(req, node, cycle, visible);
  }
}

/** The plan's devices with the node's GPU uuids filled in. */
export function devicesFor(node: NodeState, plan: readonly PlannedDevice[]): DeviceAssignment[] {
  return plan.map((d) => ({ ...d, gpuUuid: node.inventory.gpus[d.gpuIndex]?.uuid ?? '' }));
}
