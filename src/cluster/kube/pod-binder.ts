import { type CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { PodBinding } from '../cache/cluster-source.js';
import { apiErrorMessage } from './api-errors.js';

/**
 * Binds a pod the way an extender's bind verb must: first writes the annotations (the allocation, which a node
 * agent reads and which a restarted Tessera rebuilds its state from), then creates the pods/binding
 * subresource. Both requests carry the pod's UID, so a pod deleted and re-created under the same name is never
 * annotated or bound by mistake.
 *
 * Rejects with `cannot bind pod "ns/name" to node "n": <step>: <apiserver message>`.
 */
export async function bindPod(api: CoreV1Api, binding: PodBinding): Promise<void> {
  const { namespace, name, uid, node } = binding;
  const fail = (step: string, err: unknown): Error =>
    new Error(`cannot bind pod "${namespace}/${name}" to node "${node}": ${step}: ${apiErrorMessage(err)}`, { cause: err });
  try {
    // A merge patch naming the UID fails (metadata.uid is immutable) when the pod is not the one we placed.
    await api.patchNamespacedPod(
      { name, namespace, body: { metadata: { uid, annotations: { ...binding.annotations } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (err) {
    throw fail('writing the allocation annotation failed', err);
  }
  try {
    await api.createNamespacedPodBinding({
      name,
      namespace,
      body: {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace, uid },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      },
    });
  } catch (err) {
    throw fail('creating the binding failed', err);
  }
}
