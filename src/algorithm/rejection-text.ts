import type { NodeState } from './node-state.js';

/* Wording shared by the per-kind rejection messages (evaluate-share.ts, evaluate-replica.ts, evaluate-mig.ts). */

/** 'GPU' or 'GPUs' for `k`, for rejection messages. */
export function gpuWord(k: number): string {
  return k === 1 ? 'GPU' : 'GPUs';
}

/** The sharing modes of the `visible` GPUs, sorted and comma-separated, for rejection messages. */
export function modesOf(node: NodeState, visible: number): string {
  const modes = new Set<string>();
  node.inventory.gpus.forEach((g, i) => { if ((visible >> i) & 1) modes.add(g.sharing.mode); });
  return [...modes].sort().join(', ');
}
