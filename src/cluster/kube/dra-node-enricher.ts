import type { NodeObject } from '../cache/cluster-source.js';
import { ANNOTATION, LABEL } from '../../model/well-known-names.js';
import type { DraGpu } from './dra-gpu-devices.js';

/**
 * Folds what the NVIDIA DRA driver publishes about a node's GPUs into the Node object the cache parses, so one
 * parser (inventoryFromNode) reads both sources. What the node already says wins: DRA only fills the GFD labels
 * (`nvidia.com/gpu.product`, `.count`, `.memory`) and the `tessera.io/gpu-uuids` annotation when they are
 * missing, the way GFD would have written them, and `tessera.io/gpu-sharing` for MIG: `mig:dynamic` when the
 * driver publishes MIG placements as partitions, `mig:<profile>,…` when every GPU carries the same pre-created
 * instances. Returns the node unchanged when there are no DRA GPUs. Pure.
 */
export function enrichNodeWithDra(node: NodeObject, gpus: readonly DraGpu[]): NodeObject {
  if (gpus.length === 0) return node;
  const labels: Record<string, string> = { ...(node.metadata?.labels ?? {}) };
  const annotations: Record<string, string> = { ...(node.metadata?.annotations ?? {}) };
  const first = gpus[0];
  if (first === undefined) return node;
  const setIfMissing = (map: Record<string, string>, key: string, value: string): void => {
    if (value !== '' && (map[key] === undefined || map[key] === '')) map[key] = value;
  };
  // GFD writes the product with spaces as dashes: "NVIDIA H100 80GB HBM3" -> "NVIDIA-H100-80GB-HBM3".
  setIfMissing(labels, LABEL.gpuProduct, first.productName.trim().replace(/\s+/g, '-'));
  setIfMissing(labels, LABEL.gpuCount, String(gpus.length));
  if (first.memoryMiB > 0) setIfMissing(labels, LABEL.gpuMemory, String(first.memoryMiB));
  setIfMissing(annotations, ANNOTATION.gpuUuids, gpus.map((g) => g.uuid).join(','));
  setIfMissing(annotations, ANNOTATION.gpuSharing, migSharing(gpus));
  return { ...node, metadata: { ...node.metadata, labels, annotations } };
}

/** The `tessera.io/gpu-sharing` value DRA implies, or '' when it implies none (or GPUs differ). */
function migSharing(gpus: readonly DraGpu[]): string {
  if (gpus.every((g) => g.dynamicMig)) return 'mig:dynamic';
  const layouts = new Set(gpus.map((g) => g.mig.map((m) => m.profile).join(',')));
  const [only] = layouts;
  return layouts.size === 1 && only !== undefined && only !== '' ? `mig:${only}` : '';
}
