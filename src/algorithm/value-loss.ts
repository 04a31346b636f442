import { modelMatches } from '../model/gpu-product.js';
import type { CycleState } from './cycle-state.js';
import type { GpuChange } from './fragmentation.js';
import { idleUnits } from './gpu-capacity.js';
import type { NodeState } from './node-state.js';
import { idleLevel, shareSteps, shareValue } from './packing-value.js';

/**
 * Packing value the plan wastes (packing-value.ts): the node's value before, minus after, minus the pod's own
 * value. A node's value is what its GPUs' idle room can still take (K per GPU; a free exclusive GPU is worth 1),
 * capped by what its free host CPU pays for. 0 when the options give it no penalty, and for replica and MIG
 * requests (the values cover whole GPUs and shares).
 */
export function valueLoss(node: NodeState, cycle: CycleState, changes: readonly GpuChange[]): number {
  const req = cycle.req;
  if (!((cycle.options.valueLossPenalty ?? 0) > 0) || req.kind === 'replica' || req.kind === 'mig') return 0;
  const values = cycle.memo.packingValues;
  const gpus = node.inventory.gpus;
  let before = 0; let after = 0; let cpuPerValue = Number.POSITIVE_INFINITY;
  for (let i = 0; i < gpus.length; i += 1) {
    const g = gpus[i];
    if (g === undefined) continue;
    let change: GpuChange | undefined;
    for (const c of changes) if (c.gpu === i) { change = c; break; }
    const idle = node.idle[i] ?? 0;
    const idleAfter = change === undefined ? idle : idleUnits(g, change.usage);
    if (g.sharing.mode === 'fractional') {
      const table = values.tableFor(g);
      cpuPerValue = Math.min(cpuPerValue, table.cpuPerValue);
      before += table.idleValue[idleLevel(idle)] ?? 0;
      after += table.idleValue[idleLevel(idleAfter)] ?? 0;
    } else if (g.sharing.mode !== 'mig') {
      cpuPerValue = Math.min(cpuPerValue, values.tableFor(g).cpuPerValue);
      before += idle >= 1000 ? 1 : 0;
      after += idleAfter >= 1000 ? 1 : 0;
    }
  }
  let own = 0;
  if (req.kind === 'whole') own = req.gpus;
  else if (req.kind === 'share') {
    for (const c of changes) {
      const g = gpus[c.gpu];
      if (g !== undefined) own += shareValue(values.tableFor(g), shareSteps(g, req.memoryMiB, req.computeMilli));
    }
  }
  if (node.inventory.cpuMilli > 0 && Number.isFinite(cpuPerValue)) {
    const cpuFree = Math.max(0, node.cpuFreeMilli);
    before = Math.min(before, cpuFree / cpuPerValue);
    after = Math.min(after, Math.max(0, cpuFree - req.cpuMilli) / cpuPerValue);
  }
  const pressure = cycle.pressure;
  if (pressure === null) return before - after - own;
  // Room on a pressed product is worth more: a pod that may go elsewhere pays for taking it (its own value
  // counts at the least pressure among the products it may use), one that may only go there does not.
  const here = pressure.get(gpus[0]?.product ?? '') ?? 1;
  let least = Number.POSITIVE_INFINITY;
  for (const [product, p] of pressure) if (p < least && (req.models === null || modelMatches(req.models, product))) least = p;
  return here * (before - after) - (Number.isFinite(least) ? least : here) * own;
}
