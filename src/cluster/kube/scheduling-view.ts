import type { V1Node } from '@kubernetes/client-node';
import type { NodeObject } from '../cache/cluster-source.js';

/**
 * What the cache reads of a node (metadata, taints, allocatable and capacity), without the conditions, images,
 * addresses and node info a kubelet reports: the only copy kept per node, so 20,000 nodes stay small.
 */
export function schedulingView(n: V1Node): NodeObject {
  const meta = n.metadata;
  return {
    metadata: {
      ...(meta?.name === undefined ? {} : { name: meta.name }),
      ...(meta?.uid === undefined ? {} : { uid: meta.uid }),
      resourceVersion: meta?.resourceVersion ?? null,
      labels: meta?.labels ?? null,
      annotations: meta?.annotations ?? null,
    },
    spec: n.spec === undefined ? null : { taints: n.spec.taints ?? null, unschedulable: n.spec.unschedulable ?? null },
    status: n.status === undefined ? null : viewStatus(n.status.allocatable ?? null, n.status.capacity ?? null),
  };
}

/** allocatable and capacity, one object when they hold the same (as on GPU nodes without reservations). */
function viewStatus(allocatable: Record<string, string> | null, capacity: Record<string, string> | null): object {
  return { allocatable, capacity: allocatable !== null && capacity !== null && sameEntries(allocatable, capacity) ? allocatable : capacity };
}

function sameEntries(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}
