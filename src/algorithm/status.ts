/**
 * Outcome of filtering or placing on one node. An expected rejection is data, not an exception:
 * - unschedulable: might fit after preemption or when other pods finish;
 * - unresolvable:  cannot fit on this node whatever is evicted (wrong model, too few GPUs, spot, taints).
 */
export type Status =
  | { readonly code: 'success' }
  | { readonly code: 'unschedulable'; readonly reason: string }
  | { readonly code: 'unresolvable'; readonly reason: string };

export const SUCCESS: Status = Object.freeze({ code: 'success' });

export function unschedulable(reason: string): Status {
  return { code: 'unschedulable', reason };
}

export function unresolvable(reason: string): Status {
  return { code: 'unresolvable', reason };
}
