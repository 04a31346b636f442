import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { CachedPod, DeviceHold, NodeView } from '../../cluster/cache/cluster-cache.js';
import type { Allocation, DeviceAssignment, GpuUsage } from '../../model/allocation.js';
import type { GpuDevice, MigInstance, SharingPolicy } from '../../model/gpu-device.js';
import type { GpuLink } from '../../model/link-matrix.js';
import {
  CapacityType, DeviceKind, InventoryResponseSchema, PodPhase, SharingMode,
  type AllocationSchema, type GpuSchema, type InventoryResponse, type PodAllocationSchema,
} from './gen/tessera/v1/scheduler_pb.js';

type AllocationInit = MessageInitShape<typeof AllocationSchema>;

const SHARING_MODES: Record<SharingPolicy['mode'], SharingMode> = {
  exclusive: SharingMode.EXCLUSIVE,
  fractional: SharingMode.FRACTIONAL,
  'time-sliced': SharingMode.TIME_SLICED,
  mig: SharingMode.MIG,
};

const POD_PHASES: Record<CachedPod['phase'], PodPhase> = {
  nominated: PodPhase.NOMINATED,
  assumed: PodPhase.ASSUMED,
  bound: PodPhase.BOUND,
};

const DEVICE_KINDS: Record<DeviceAssignment['kind'], DeviceKind> = {
  whole: DeviceKind.WHOLE,
  share: DeviceKind.SHARE,
  replica: DeviceKind.REPLICA,
  mig: DeviceKind.MIG,
};

/**
 * The Inventory answer: what `nodesView` gives GET /api/v1/nodes (every cached node's inventory, per-GPU usage,
 * links as `nvidia-smi topo -m` cells, the pods holding devices, the device holds), as protobuf messages, plus the incarnation
 * that WatchAllocations checks.
 */
export function inventoryResponse(
  views: readonly NodeView[],
  meta: { cluster: string; synced: boolean; version: number; incarnation: string },
  holds: readonly DeviceHold[] = [],
): InventoryResponse {
  return create(InventoryResponseSchema, {
    cluster: meta.cluster,
    synced: meta.synced,
    version: BigInt(meta.version),
    incarnation: meta.incarnation,
    nodes: views.map(({ inventory: inv, state, pods }) => ({
      name: inv.name,
      capacityType: inv.capacityType === 'spot' ? CapacityType.SPOT : CapacityType.ON_DEMAND,
      ...optional('hourlyPrice', inv.hourlyPrice),
      ...optional('instanceType', inv.instanceType),
      ...optional('zone', inv.zone),
      ...optional('rack', inv.rack),
      ...optional('clique', inv.clique),
      topologySource: inv.topologySource,
      cpuMilli: inv.cpuMilli,
      memoryMib: inv.memoryMiB,
      used: { cpuMilli: state.usage.cpuMilli, memoryMib: state.usage.memoryMiB },
      gpus: inv.gpus.map((gpu, i) => gpuMessage(gpu, state.usage.gpus[i])),
      links: inv.links.map((row) => ({ cells: row.map(linkCell) })),
      pods: pods.map(podMessage),
      holds: holds.filter((h) => h.node === inv.name).map((h) => ({
        forPod: { uid: h.forPod.uid, namespace: h.forPod.namespace, name: h.forPod.name },
        reason: h.reason,
        expires: new Date(h.deadline).toISOString(),
        allocation: allocationMessage(h.allocation),
      })),
    })),
  });
}

/** The Allocation message of a model allocation. */
export function allocationMessage(a: Allocation): AllocationInit {
  return {
    node: a.node,
    cpuMilli: a.cpuMilli,
    memoryMib: a.memoryMiB,
    devices: a.devices.map((d) => ({
      gpuIndex: d.gpuIndex,
      gpuUuid: d.gpuUuid,
      kind: DEVICE_KINDS[d.kind],
      memoryMib: d.memoryMiB,
      computeMilli: d.computeMilli,
      replicas: d.replicas ?? 0,
      ...(d.mig === undefined ? {} : { mig: migMessage(d.mig) }),
    })),
  };
}

function gpuMessage(gpu: GpuDevice, used: GpuUsage | undefined): MessageInitShape<typeof GpuSchema> {
  const sharing = gpu.sharing;
  return {
    index: gpu.index,
    uuid: gpu.uuid,
    product: gpu.product,
    memoryMib: gpu.memoryMiB,
    computeMilli: gpu.computeMilli,
    sharing: {
      mode: SHARING_MODES[sharing.mode],
      replicas: sharing.mode === 'time-sliced' ? sharing.replicas : 0,
      migDynamic: sharing.mode === 'mig' && sharing.layout === 'dynamic',
      migLayout: sharing.mode === 'mig' && sharing.layout !== 'dynamic' ? sharing.layout.map(migMessage) : [],
    },
    ...optional('numaNode', gpu.numaNode),
    taints: gpu.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
    ...(used === undefined ? {} : {
      used: { memoryMib: used.memoryMiB, computeMilli: used.computeMilli, replicas: used.replicas, whole: used.whole, mig: used.mig.map(migMessage) },
    }),
  };
}

function podMessage(p: CachedPod): MessageInitShape<typeof PodAllocationSchema> {
  return {
    uid: p.uid,
    namespace: p.namespace,
    name: p.name,
    phase: POD_PHASES[p.phase],
    priority: p.priority,
    ...optional('group', p.group),
    counted: p.counted,
    ...(p.allocation === null ? {} : { allocation: allocationMessage(p.allocation) }),
  };
}

function migMessage(m: MigInstance): { profile: string; start: number; size: number } {
  return { profile: m.profile, start: m.start, size: m.size };
}

function linkCell(link: GpuLink): string {
  return link.level === 'NV' ? `NV${link.bonds}` : link.level;
}

/** `{ [key]: value }` for a present value, `{}` for null (proto3 `optional` fields stay unset). */
function optional<K extends string, V>(key: K, value: V | null): Partial<Record<K, V>> {
  return value === null ? {} : ({ [key]: value } as Record<K, V>);
}
