import { toleratesTaint } from './device-taints.js';
import type { Toleration } from './gpu-request.js';
import { LABEL } from './well-known-names.js';

/**
 * Spot capacity: which node labels mark a node as spot (or preemptible) capacity, and which taints clouds
 * and autoscalers put on such nodes. A pod that tolerates one of these taints is taken as interruptible.
 */

/** A label (and the same-named taint, effect NoSchedule) that marks spot capacity. */
export interface SpotMarker {
  readonly key: string;
  /** Label/taint value meaning spot, as the provider writes it. */
  readonly value: string;
  readonly provider: string;
}

/** Every known spot marker, each used both as a node label and as a NoSchedule taint. */
export const SPOT_MARKERS: readonly SpotMarker[] = [
  { key: LABEL.karpenterCapacityType, value: 'spot', provider: 'Karpenter' },
  { key: LABEL.eksCapacityType, value: 'SPOT', provider: 'EKS managed node groups' },
  { key: LABEL.gkeSpot, value: 'true', provider: 'GKE Spot VMs' },
  { key: LABEL.gkePreemptible, value: 'true', provider: 'GKE preemptible VMs' },
  { key: LABEL.azureScaleSetPriority, value: 'spot', provider: 'AKS spot node pools' },
  { key: LABEL.capacityType, value: 'spot', provider: 'Tessera' },
];

/** Known spot taints (`key=value:NoSchedule`), derived from `SPOT_MARKERS`. */
export const SPOT_TAINTS: readonly { readonly key: string; readonly value: string; readonly effect: 'NoSchedule' }[] =
  SPOT_MARKERS.map((m) => ({ key: m.key, value: m.value, effect: 'NoSchedule' as const }));

/**
 * Capacity type of a node from its labels: `spot` when any known spot label carries its spot value
 * (compared case-insensitively: `karpenter.sh/capacity-type=SPOT` is spot too), else `on-demand`.
 */
export function capacityTypeFromLabels(labels: Readonly<Record<string, unknown>> | null | undefined): 'spot' | 'on-demand' {
  if (labels === null || labels === undefined) return 'on-demand';
  for (const m of SPOT_MARKERS) {
    const v = labels[m.key];
    if (typeof v === 'string' && v.toLowerCase() === m.value.toLowerCase()) return 'spot';
  }
  return 'on-demand';
}

/** True when some toleration tolerates a known spot taint (an `Exists` toleration without key tolerates all). */
export function toleratesSpotTaint(tolerations: readonly Toleration[]): boolean {
  return SPOT_TAINTS.some((taint) => tolerations.some((tol) => toleratesTaint(tol, taint)));
}
