import { nodeFragmentation, gpuTaskHosts, prepareWorkload, type PreparedWorkload } from '../algorithm/fragmentation.js';
import { EMPTY_GPU_USAGE } from '../algorithm/gpu-capacity.js';
import type { NodeState } from '../algorithm/node-state.js';
import type { TargetTask } from '../algorithm/scheduling-options.js';
import type { NodeInventory } from '../model/node-inventory.js';

/**
 * Stranded GPUs of a node: idle GPU share that the requests this node is built for cannot use, given what is
 * already placed on it.
 *
 * It is FGD's fragmentation measure (src/algorithm/fragmentation.ts, capacity term off) taken against the
 * target workload restricted to the node's own shapes: the request shapes that an EMPTY node of the same
 * inventory could host (a MIG shape is not a node's shape unless it has MIG GPUs; an 8-GPU job is not a 4-GPU
 * node's). For each such shape t, with weight p_t renormalised over them: if the node can host t now, the idle
 * share on GPUs that cannot host t is stranded for t; if it cannot host t at all (too few suitable GPUs, or no
 * host CPU left), all its idle share is. Stranded = Σ p_t · stranded_t. So an empty node whose GPUs are alike
 * strands nothing (on GPUs with a fixed MIG layout, the slices no legal placement of a shape covers excepted), a
 * node whose GPUs are all taken strands nothing (nothing is idle), and a node with one free GPU where most
 * requests need four strands most of that GPU. A node none of the workload's shapes fits at all strands all its idle GPU.
 * In GPUs (the measure's milli-GPU units / 1000), between 0 and the node's idle GPUs.
 */
export class StrandedGpus {
  private readonly byInventory = new WeakMap<NodeInventory, PreparedWorkload | null>();
  /** Prepared workloads by eligible-task mask, shared by alike nodes (each keeps its own fragmentation memo). */
  private readonly byMask = new Map<string, PreparedWorkload>();

  /** The whole workload prepared once: its model-check memo serves the "could an empty node host it" test. */
  private readonly all: PreparedWorkload;

  constructor(private readonly workload: readonly TargetTask[]) {
    this.all = prepareWorkload(workload, 0);
  }

  /** Stranded GPUs of the node in `state` (0..idle GPUs). */
  of(state: NodeState): number {
    let idle = 0;
    for (const x of state.idle) idle += x;
    if (idle <= 0) return 0;
    const wl = this.workloadFor(state.inventory);
    if (wl === null) return idle / 1000;
    return Math.min(idle, Math.max(0, nodeFragmentation(state, wl))) / 1000;
  }

  /** The workload restricted to shapes an empty node of this inventory could host, or null when none fits. */
  private workloadFor(inventory: NodeInventory): PreparedWorkload | null {
    const known = this.byInventory.get(inventory);
    if (known !== undefined) return known;
    const mask = this.workload.map((t) => (fitsEmpty(t, inventory, this.all) ? '1' : '0')).join('');
    let wl: PreparedWorkload | null = null;
    if (mask.includes('1')) {
      wl = this.byMask.get(mask) ?? null;
      if (wl === null) {
        wl = prepareWorkload(this.workload.filter((_, i) => mask[i] === '1'), 0);
        this.byMask.set(mask, wl);
      }
    }
    this.byInventory.set(inventory, wl);
    return wl;
  }
}

/** True when an empty node of `inventory` could host task `t` (enough suitable GPUs, and host CPU where accounted). */
function fitsEmpty(t: TargetTask, inventory: NodeInventory, wl: PreparedWorkload): boolean {
  if (t.weight <= 0) return false;
  if (inventory.cpuMilli > 0 && t.cpuMilli > inventory.cpuMilli) return false;
  let hosts = 0;
  for (const g of inventory.gpus) if (gpuTaskHosts(g, EMPTY_GPU_USAGE, t, wl)) hosts += 1;
  return hosts >= Math.max(1, t.gpus);
}
