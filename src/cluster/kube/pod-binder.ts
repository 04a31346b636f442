import type { PodBinding, PodRef } from '../cache/cluster-source.js';
import { type KubeHttp, kubeHttpErrorMessage } from './kube-http.js';

/**
 * Binds a pod the way an extender's bind verb must, in one request: a `pods/binding` whose metadata carries the
 * annotations (the allocation, which a node agent reads and a restarted Tessera rebuilds its state from).
 * kube-apiserver's BindingREST (pkg/registry/core/pod/storage, `setPodNodeAndMetadata`) sets spec.nodeName and
 * copies the Binding's annotations onto the pod in the same update, so a pod is never bound without its
 * allocation, and a failed bind leaves the pod untouched. The Binding carries the pod's UID as a precondition, so
 * a pod deleted and re-created under the same name is never bound by mistake.
 *
 * Rejects with `cannot bind pod "ns/name" to node "n": creating the binding failed: <apiserver message>`.
 */
export async function bindPod(http: KubeHttp, binding: PodBinding): Promise<void> {
  const { namespace, name, uid, node } = binding;
  const fail = (why: string, cause?: unknown): Error =>
    new Error(`cannot bind pod "${namespace}/${name}" to node "${node}": creating the binding failed: ${why}`, cause === undefined ? undefined : { cause });
  let res;
  try {
    res = await http.request('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/binding`, {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace, uid, annotations: { ...binding.annotations } },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    });
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err), err);
  }
  if (res.status < 200 || res.status > 299) throw fail(kubeHttpErrorMessage(res));
}

/**
 * Sets `status.nominatedNodeName` of a pending pod with one merge patch of the status subresource. The patch
 * names the pod's UID and the resourceVersion Tessera saw, so it fails (HTTP 409) instead of writing when the pod
 * changed meanwhile, e.g. was bound, or was nominated by kube-scheduler's own preemption.
 *
 * Rejects with `cannot nominate node "n" for pod "ns/name": <apiserver message>`.
 */
export async function nominatePod(http: KubeHttp, pod: PodRef, node: string, resourceVersion: string): Promise<void> {
  const fail = (why: string, cause?: unknown): Error =>
    new Error(`cannot nominate node "${node}" for pod "${pod.namespace}/${pod.name}": ${why}`, cause === undefined ? undefined : { cause });
  let res;
  try {
    res = await http.request(
      'PATCH',
      `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/status`,
      { metadata: { uid: pod.uid, resourceVersion }, status: { nominatedNodeName: node } },
      { contentType: 'application/merge-patch+json' },
    );
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err), err);
  }
  if (res.status < 200 || res.status > 299) throw fail(kubeHttpErrorMessage(res));
}
