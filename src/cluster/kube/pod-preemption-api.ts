import { type CoreV1Api, type CoreV1Event, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { EvictionRefusedError, type PodRef } from '../cache/cluster-source.js';
import { apiErrorMessage, isApiStatus } from './api-errors.js';

/**
 * Evicts `victim` through the policy/v1 Eviction API, so the API server enforces PodDisruptionBudgets (HTTP 429
 * becomes `EvictionRefusedError`). The UID precondition keeps a pod re-created under the same name safe; a pod
 * already gone (404) counts as evicted.
 */
export async function evictPod(api: CoreV1Api, victim: PodRef): Promise<void> {
  try {
    await api.createNamespacedPodEviction({
      name: victim.name,
      namespace: victim.namespace,
      body: {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: victim.name, namespace: victim.namespace },
        deleteOptions: { preconditions: { uid: victim.uid } },
      },
    });
  } catch (err) {
    if (isApiStatus(err, 404)) return;
    const why = `cannot evict pod "${victim.namespace}/${victim.name}": ${apiErrorMessage(err)}`;
    if (isApiStatus(err, 429)) throw new EvictionRefusedError(why, { cause: err });
    throw new Error(why, { cause: err });
  }
}

/** Sets (or with `''` clears) `status.nominatedNodeName` of a pending pod, with its UID as a precondition. */
export async function nominatePod(api: CoreV1Api, pod: PodRef, node: string): Promise<void> {
  try {
    await api.patchNamespacedPodStatus(
      { name: pod.name, namespace: pod.namespace, body: { metadata: { uid: pod.uid }, status: { nominatedNodeName: node === '' ? null : node } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (err) {
    throw new Error(`cannot set nominatedNodeName of pod "${pod.namespace}/${pod.name}" to "${node}": ${apiErrorMessage(err)}`, { cause: err });
  }
}

/** Writes one Event on a pod (not correlated: preemption events are rare). */
export async function recordPodEvent(api: CoreV1Api, pod: PodRef, type: 'Normal' | 'Warning', reason: string, message: string, component: string, instance: string): Promise<void> {
  const now = new Date();
  const body: CoreV1Event = {
    metadata: { name: `${pod.name}.${now.getTime().toString(16)}${randomBytes(2).toString('hex')}`, namespace: pod.namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid },
    type, reason, message, count: 1, firstTimestamp: now, lastTimestamp: now,
    source: { component }, reportingComponent: component, reportingInstance: instance, action: 'Preempting',
  };
  await api.createNamespacedEvent({ namespace: pod.namespace, body });
}

/** Writes `resources` into a node's status.capacity and status.allocatable (a merge patch: other entries stay). */
export async function patchNodeCapacity(api: CoreV1Api, node: string, resources: Readonly<Record<string, string>>): Promise<void> {
  try {
    await api.patchNodeStatus(
      { name: node, body: { status: { capacity: { ...resources }, allocatable: { ...resources } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (err) {
    throw new Error(`cannot advertise GPU totals on node "${node}": ${apiErrorMessage(err)}`, { cause: err });
  }
}
