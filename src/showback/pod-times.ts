import type { PodObject } from '../cluster/cache/cluster-source.js';

/** The parts of a core/v1 Pod status that say when it was bound and when it stopped (read defensively). */
interface PodTimesStatus {
  readonly conditions?: readonly { readonly type?: unknown; readonly status?: unknown; readonly lastTransitionTime?: unknown }[] | null;
  readonly containerStatuses?: readonly ContainerStatus[] | null;
  readonly initContainerStatuses?: readonly ContainerStatus[] | null;
}

interface ContainerStatus {
  readonly state?: { readonly terminated?: { readonly finishedAt?: unknown } | null } | null;
}

/** Milliseconds since the epoch of an RFC 3339 time (a string, or a Date as @kubernetes/client-node gives it), else null. */
function timeOf(x: unknown): number | null {
  if (x instanceof Date) return Number.isFinite(x.getTime()) ? x.getTime() : null;
  if (typeof x !== 'string' || x === '') return null;
  const ms = Date.parse(x);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * When the pod was bound: the `lastTransitionTime` of its `PodScheduled=True` condition, which the API server sets
 * in the same write that sets `spec.nodeName` (the pods/binding subresource), so it survives a Tessera restart.
 * Null when the pod carries no such condition (then the caller uses the time it first saw the pod bound).
 * Second precision, as Kubernetes stores it.
 */
export function podBindTime(pod: PodObject): number | null {
  const status = pod.status as PodTimesStatus | null | undefined;
  for (const c of status?.conditions ?? []) {
    if (c?.type === 'PodScheduled' && c.status === 'True') return timeOf(c.lastTransitionTime);
  }
  return null;
}

/**
 * When a pod in phase Succeeded or Failed stopped holding its devices: the latest `finishedAt` of its terminated
 * containers (init containers included). Null when the pod has not finished or names no time.
 */
export function podEndTime(pod: PodObject): number | null {
  const phase = pod.status?.phase;
  if (phase !== 'Succeeded' && phase !== 'Failed') return null;
  const status = pod.status as PodTimesStatus;
  let end: number | null = null;
  for (const list of [status.containerStatuses, status.initContainerStatuses]) {
    for (const c of list ?? []) {
      const t = timeOf(c?.state?.terminated?.finishedAt);
      if (t !== null && (end === null || t > end)) end = t;
    }
  }
  return end;
}
