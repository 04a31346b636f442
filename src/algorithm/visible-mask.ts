import { untoleratedTaints, toleratesDeviceTaints } from '../model/device-taints.js';
import { modelMatches } from '../model/gpu-product.js';
import type { CycleState } from './cycle-state.js';
import type { NodeState } from './node-state.js';

/** GPUs the pod may see on `node`: allowed model and every hard taint tolerated. */
export function visibleMask(node: NodeState, cycle: CycleState): number {
  const req = cycle.req;
  const info = node.info;
  let mask = info.allMask;
  if (req.models !== null) {
    mask = 0;
    for (let p = 0; p < info.products.length; p += 1) {
      const product = info.products[p] ?? '';
      let ok = cycle.productAllowed.get(product);
      if (ok === undefined) { ok = modelMatches(req.models, product); cycle.productAllowed.set(product, ok); }
      if (ok) mask |= info.productMasks[p] ?? 0;
    }
  }
  if ((info.taintedMask & mask) !== 0) {
    for (let i = 0; i < info.n; i += 1) {
      if (!((info.taintedMask >> i) & 1)) continue;
      const g = node.inventory.gpus[i];
      if (g !== undefined && !toleratesDeviceTaints(req.tolerations, g.taints)) mask &= ~(1 << i);
    }
  }
  return mask;
}

/** Why `visibleMask` is empty: no GPUs, no allowed model, or untolerated taints on every allowed GPU. */
export function invisibleReason(node: NodeState, cycle: CycleState): string {
  const req = cycle.req;
  const info = node.info;
  if (info.n === 0) return 'node has no GPUs';
  if (req.models !== null) {
    const allowed = info.products.filter((p) => cycle.productAllowed.get(p) === true);
    if (allowed.length === 0) return `GPU model not allowed: pod allows ${req.models.join('|')}, node has ${info.products.join(', ')}`;
  }
  const taints = new Set<string>();
  for (const g of node.inventory.gpus) {
    for (const t of untoleratedTaints(req.tolerations, g.taints)) taints.add(`${t.key}${t.value === '' ? '' : `=${t.value}`}:${t.effect}`);
  }
  return `every allowed GPU carries a taint the pod does not tolerate: ${[...taints].sort().join(', ')}`;
}
