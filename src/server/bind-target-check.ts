import type { ClusterSource, PodObject, PodRef } from '../cluster/cache/cluster-source.js';

/** Where bind finds the cluster's pod: the cache's pending pods, else the source's GET (absent for `sim`). */
export interface BindPodLookup {
  pendingPod(uid: string): PodObject | undefined;
}

const DEFAULT_SCHEDULER = 'default-scheduler';
const schedulerOf = (pod: PodObject): string => pod.spec?.schedulerName ?? DEFAULT_SCHEDULER;

/**
 * Why a bind of `ref` must be refused, or null. The pod bind names must be the cluster's pod: the same name,
 * namespace and UID (looked up by UID among the pending pods the cache knows, else fetched by name), not
 * bound yet, and, when filter saw the pod (`filtered`, the body kube-scheduler sent), the same name,
 * namespace and schedulerName as the cluster says. So a bind cannot reach a pod that another scheduler owns, or
 * one that was filtered under a borrowed UID. Without a way to look pods up (the simulated cluster), only the
 * filtered pod is compared.
 */
export async function bindTargetMismatch(ref: PodRef, filtered: PodObject | undefined, cache: BindPodLookup, source: Pick<ClusterSource, 'getPod'>): Promise<string | null> {
  const problems: string[] = [];
  if (filtered !== undefined) {
    const name = filtered.metadata?.name ?? '';
    const namespace = filtered.metadata?.namespace ?? '';
    if (name !== ref.name || namespace !== ref.namespace) {
      problems.push(`filter saw UID "${ref.uid}" as pod "${namespace}/${name}"`);
    }
  }
  let cluster: PodObject | null | undefined = cache.pendingPod(ref.uid);
  if (cluster === undefined && source.getPod !== undefined) {
    cluster = await source.getPod.call(source, ref.namespace, ref.name);
    if (cluster === null) return `the cluster has no pod "${ref.namespace}/${ref.name}"`;
  }
  if (cluster !== undefined && cluster !== null) {
    const name = cluster.metadata?.name ?? '';
    const namespace = cluster.metadata?.namespace ?? '';
    const uid = cluster.metadata?.uid ?? '';
    if (uid !== ref.uid) problems.push(`the cluster's pod "${namespace}/${name}" has UID "${uid}"`);
    else if (name !== ref.name || namespace !== ref.namespace) problems.push(`UID "${ref.uid}" is pod "${namespace}/${name}" in the cluster`);
    const node = cluster.spec?.nodeName ?? '';
    if (node !== '') problems.push(`the pod is already bound to node "${node}"`);
    if (filtered !== undefined && schedulerOf(filtered) !== schedulerOf(cluster)) {
      problems.push(`filter saw schedulerName "${schedulerOf(filtered)}" but the cluster's pod has "${schedulerOf(cluster)}"`);
    }
  }
  return problems.length === 0 ? null : `the pod does not match the cluster's: ${problems.join('; ')}`;
}
