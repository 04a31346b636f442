import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { TraceNode, TracePod } from '../../../src/sim/replay/load-trace.js';
import { TRACE_GPU_MEMORY_MIB } from '../../../src/sim/replay/trace-to-model.js';

/** An all-PHB `nvidia-smi topo -m` matrix: the trace's nodes have no topology, and the replay models them so. */
export function phbTopology(gpus: number): string {
  const head = ['', ...Array.from({ length: gpus }, (_, i) => `GPU${String(i)}`)].join('\t');
  const rows = Array.from({ length: gpus }, (_, i) =>
    [`GPU${String(i)}`, ...Array.from({ length: gpus }, (_, j) => (i === j ? ' X ' : 'PHB'))].join('\t'));
  return [head, ...rows].join('\n');
}

/**
 * A trace node as a KWOK node that Tessera reads as the replay's inventory of it: GFD labels with the trace's
 * model as product, 16,000 MiB per GPU (TRACE_GPU_MEMORY_MIB), the node's CPU and memory as allocatable, an
 * all-PHB topology, on-demand, no price.
 */
export function traceKwokNode(node: TraceNode): V1Node {
  const resources: Record<string, string> = { cpu: `${String(node.cpuMilli)}m`, memory: `${String(node.memoryMiB)}Mi`, pods: '110' };
  if (node.gpuCount > 0) resources['nvidia.com/gpu'] = String(node.gpuCount);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
        ...(node.gpuCount > 0 ? {
          'nvidia.com/gpu.product': node.model,
          'nvidia.com/gpu.count': String(node.gpuCount),
          'nvidia.com/gpu.memory': String(TRACE_GPU_MEMORY_MIB),
        } : {}),
      },
      annotations: {
        'kwok.x-k8s.io/node': 'fake',
        ...(node.gpuCount > 0 ? { 'tessera.io/nvidia-smi-topo': phbTopology(node.gpuCount) } : {}),
      },
    },
    status: { allocatable: resources, capacity: resources },
  };
}

/**
 * A trace pod for the tessera-scheduler profile, asking what tracePodRequest models: whole GPUs as
 * `nvidia.com/gpu`, a share as `tessera.io/gpu-compute` milli with memory in the same fraction, allowed models
 * from `gpu_spec`, and the pod's CPU and memory.
 */
export function traceKwokPod(pod: TracePod, namespace: string): V1Pod {
  const gpu: Record<string, string> = {};
  if (pod.gpuCount > 0 && pod.gpuMilli >= 1000) gpu['nvidia.com/gpu'] = String(pod.gpuCount);
  else if (pod.gpuCount > 0) {
    gpu['tessera.io/gpu-compute'] = String(pod.gpuMilli);
    gpu['tessera.io/gpu-memory'] = `${String((pod.gpuMilli * TRACE_GPU_MEMORY_MIB) / 1000)}Mi`;
  }
  const host: Record<string, string> = {};
  if (pod.cpuMilli > 0) host['cpu'] = `${String(pod.cpuMilli)}m`;
  if (pod.memoryMiB > 0) host['memory'] = `${String(pod.memoryMiB)}Mi`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      namespace,
      annotations: pod.gpuSpec === '' ? {} : { 'tessera.io/gpu-model': pod.gpuSpec },
    },
    spec: {
      schedulerName: 'tessera-scheduler',
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: 'registry.example/trace:1', resources: { requests: { ...host, ...gpu }, limits: { ...gpu } } }],
    },
  };
}
