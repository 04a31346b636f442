import type { DeviceHold, NodeView } from '../cluster/cache/cluster-cache.js';
import type { GpuLink } from '../model/link-matrix.js';

/**
 * The body of `GET /api/v1/nodes` (schema in docs/service.md): every cached node's inventory, per-GPU usage,
 * links as `nvidia-smi topo -m` cells, the pods holding devices with their exact allocations, and the devices held
 * for pending pods (preemption, job groups).
 */
export function nodesView(views: readonly NodeView[], meta: { cluster: string; synced: boolean; version: number }, holds: readonly DeviceHold[] = []): unknown {
  return {
    apiVersion: 'tessera.io/v1alpha1',
    kind: 'TesseraNodeList',
    cluster: meta.cluster,
    synced: meta.synced,
    version: meta.version,
    nodes: views.map(({ inventory: inv, state, pods }) => ({
      name: inv.name,
      capacityType: inv.capacityType,
      hourlyPrice: inv.hourlyPrice,
      instanceType: inv.instanceType,
      zone: inv.zone,
      rack: inv.rack,
      clique: inv.clique,
      topologySource: inv.topologySource,
      cpuMilli: inv.cpuMilli,
      memoryMiB: inv.memoryMiB,
      used: { cpuMilli: state.usage.cpuMilli, memoryMiB: state.usage.memoryMiB },
      gpus: inv.gpus.map((gpu, i) => ({
        index: gpu.index,
        uuid: gpu.uuid,
        product: gpu.product,
        memoryMiB: gpu.memoryMiB,
        computeMilli: gpu.computeMilli,
        sharing: gpu.sharing,
        numaNode: gpu.numaNode,
        taints: gpu.taints,
        used: state.usage.gpus[i] ?? null,
      })),
      links: inv.links.map((row) => row.map(linkCell)),
      pods: pods.map((p) => ({
        uid: p.uid, namespace: p.namespace, name: p.name, phase: p.phase, priority: p.priority,
        group: p.group, counted: p.counted, allocation: p.allocation,
      })),
      holds: holds.filter((h) => h.node === inv.name).map((h) => ({
        forPod: { uid: h.forPod.uid, namespace: h.forPod.namespace, name: h.forPod.name }, reason: h.reason,
        expires: new Date(h.deadline).toISOString(), allocation: h.allocation,
      })),
    })),
  };
}

function linkCell(link: GpuLink): string {
  return link.level === 'NV' ? `NV${link.bonds}` : link.level;
}
