import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { type FleetNode, fleetNodeObject, gpuPod } from './gpu-fleet.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Node kinds of the throughput fleet, in the proportions `throughputFleet` repeats every 20 nodes. */
const FLEET_PATTERN: readonly { readonly prefix: string; readonly per20: number; readonly spec: Omit<FleetNode, 'name'> }[] = [
  {
    prefix: 'h100', per20: 7,
    spec: { product: 'NVIDIA-H100-80GB-HBM3', gpus: 8, gpuMemoryMiB: 81559, preset: 'hgx-h100-8x-sxm', nvlinkIslands: [range(8)], spot: false, hourlyPrice: 98.32, sharing: null },
  },
  {
    prefix: 'a100', per20: 5,
    spec: { product: 'NVIDIA-A100-SXM4-80GB', gpus: 8, gpuMemoryMiB: 81920, preset: 'dgx-a100-8x-sxm', nvlinkIslands: [range(8)], spot: false, hourlyPrice: 32.8, sharing: null },
  },
  {
    prefix: 'a100-spot', per20: 2,
    spec: { product: 'NVIDIA-A100-SXM4-80GB', gpus: 8, gpuMemoryMiB: 81920, preset: 'dgx-a100-8x-sxm', nvlinkIslands: [range(8)], spot: true, hourlyPrice: 12.1, sharing: null },
  },
  {
    prefix: 'l4-spot', per20: 4,
    spec: { product: 'NVIDIA-L4', gpus: 8, gpuMemoryMiB: 23034, preset: 'l4-8x-pcie-2socket', nvlinkIslands: [], spot: true, hourlyPrice: 2.9, sharing: null },
  },
  {
    prefix: 'a100-mig', per20: 2,
    spec: { product: 'NVIDIA-A100-SXM4-80GB', gpus: 8, gpuMemoryMiB: 81920, preset: 'dgx-a100-8x-sxm', nvlinkIslands: [range(8)], spot: false, hourlyPrice: 32.8, sharing: 'mig:dynamic' },
  },
];

/**
 * `n` GPU nodes for the throughput bench, every 20 of them: 7 HGX H100 (8 GPUs, one NVSwitch island), 5 DGX A100
 * 80 GB and 2 more as spot, 4 spot nodes of 8 L4 (PCIe only), and 2 DGX A100 in dynamic MIG mode. Every node has
 * 8 GPUs, 96 CPUs and 1 TiB of memory; names are `<kind>-<5-digit index>`.
 */
export function throughputFleet(n: number): FleetNode[] {
  const fleet: FleetNode[] = [];
  const counts = new Map<string, number>();
  const slots = FLEET_PATTERN.flatMap((k) => Array.from({ length: k.per20 }, () => k));
  for (let i = 0; i < n; i += 1) {
    const kind = slots[i % slots.length] ?? FLEET_PATTERN[0];
    if (kind === undefined) break;
    const k = counts.get(kind.prefix) ?? 0;
    counts.set(kind.prefix, k + 1);
    fleet.push({ ...kind.spec, name: `${kind.prefix}-${String(k).padStart(5, '0')}` });
  }
  return fleet;
}

/**
 * The node object of `spec` for the bench: `fleetNodeObject`, advertising `nvidia.com/gpu` as a device plugin
 * would. Tessera publishes the other GPU totals (tessera.io/gpu-memory, gpu-compute) itself before the rounds.
 */
export function throughputNodeObject(spec: FleetNode): V1Node {
  return fleetNodeObject(spec);
}

/** One pod shape of the mix: Tessera's resources and annotations, and the whole GPUs it stands for. */
interface PodShape {
  readonly resources: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** `nvidia.com/gpu` of the same pod for kube-scheduler alone: its GPUs rounded up to whole ones. */
  readonly wholeGpus: number;
}

const INTERRUPTIBLE = { 'tessera.io/interruptible': 'true' };

/** The pod mix, repeated every 20 pods (32 whole GPUs' worth per 20 pods, 1.6 per pod). */
const POD_PATTERN: readonly PodShape[] = [
  ...range(6).map(() => ({ resources: { 'nvidia.com/gpu': '1' }, wholeGpus: 1 })),
  ...range(2).map(() => ({ resources: { 'nvidia.com/gpu': '2' }, wholeGpus: 2 })),
  { resources: { 'nvidia.com/gpu': '4' }, annotations: { 'tessera.io/topology': 'nvlink-preferred' }, wholeGpus: 4 },
  { resources: { 'nvidia.com/gpu': '8' }, annotations: { 'tessera.io/topology': 'nvlink-required' }, wholeGpus: 8 },
  ...range(5).map(() => ({ resources: { 'tessera.io/gpu-memory': '10Gi', 'tessera.io/gpu-compute': '250' }, annotations: INTERRUPTIBLE, wholeGpus: 1 })),
  ...range(2).map(() => ({ resources: { 'tessera.io/gpu-memory': '20Gi', 'tessera.io/gpu-compute': '500' }, wholeGpus: 1 })),
  { resources: { 'tessera.io/gpu-memory': '40Gi', 'tessera.io/gpu-compute': '500' }, annotations: { 'tessera.io/gpu-model': 'H100|A100' }, wholeGpus: 1 },
  { resources: { 'tessera.io/mig-1g.10gb': '1' }, wholeGpus: 1 },
  { resources: { 'tessera.io/mig-3g.40gb': '1' }, wholeGpus: 1 },
];

/** How a setup asks for GPUs: Tessera's own mix, or the same pods as whole `nvidia.com/gpu` only. */
export type PodFlavour = 'tessera' | 'whole';

/**
 * Pod `i` of the bench (`p-<6-digit index>`), for the tessera-scheduler profile. The mix per 20 pods: 6 of one
 * whole GPU, 2 of two, 1 of four (NVLink preferred), 1 of eight (NVLink required); 5 interruptible shares of 10 GiB /
 * 250 milli, 2 shares of 20 GiB / 500 milli, 1 share of 40 GiB / 500 milli on H100 or A100; one MIG 1g.10gb and one
 * 3g.40gb instance. `whole` gives the same pod `nvidia.com/gpu: <its GPUs rounded up>` and no annotations, which
 * is what kube-scheduler alone can place.
 */
export function throughputPod(i: number, namespace: string, flavour: PodFlavour): V1Pod {
  const shape = POD_PATTERN[i % POD_PATTERN.length] as PodShape;
  const name = `p-${String(i).padStart(6, '0')}`;
  if (flavour === 'whole') return gpuPod({ name, namespace, resources: { 'nvidia.com/gpu': String(shape.wholeGpus) }, labels: { app: 'bench' } });
  return gpuPod({ name, namespace, resources: shape.resources, labels: { app: 'bench' }, ...(shape.annotations === undefined ? {} : { annotations: shape.annotations }) });
}

/**
 * Whole-GPU over-commit, checked from the pods alone: per node, the `nvidia.com/gpu` the bound pods request must
 * not exceed the node's GPUs. Returns the violations (empty = sound).
 */
export function wholeGpuViolations(fleet: readonly FleetNode[], pods: readonly V1Pod[]): string[] {
  const gpus = new Map(fleet.map((n) => [n.name, n.gpus]));
  const used = new Map<string, number>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName ?? '';
    if (node === '') continue;
    const n = (pod.spec?.containers ?? []).reduce((s, c) => s + Number(c.resources?.requests?.['nvidia.com/gpu'] ?? 0), 0);
    used.set(node, (used.get(node) ?? 0) + n);
  }
  const problems: string[] = [];
  for (const [node, n] of used) {
    const have = gpus.get(node);
    if (have === undefined) problems.push(`pods bound to unknown node ${node}`);
    else if (n > have) problems.push(`${node}: ${String(n)} whole GPUs requested by bound pods (node has ${String(have)})`);
  }
  return problems;
}
