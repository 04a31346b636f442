import type { V1Node, V1Pod } from '@kubernetes/client-node';

/** One fake GPU node as the e2e fleet declares it; the checker reads capacities from here, not from Tessera. */
export interface FleetNode {
  readonly name: string;
  /** GFD `nvidia.com/gpu.product` value. */
  readonly product: string;
  readonly gpus: number;
  /** Per-GPU memory in MiB (GFD `nvidia.com/gpu.memory`). */
  readonly gpuMemoryMiB: number;
  readonly preset: string | null;
  /** GPU index sets joined by NVLink (from the preset). */
  readonly nvlinkIslands: readonly (readonly number[])[];
  readonly spot: boolean;
  readonly hourlyPrice: number;
  /** `tessera.io/gpu-sharing`, or null for the default (fractional). */
  readonly sharing: string | null;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function pool(
  prefix: string,
  count: number,
  spec: Omit<FleetNode, 'name'>,
): FleetNode[] {
  return range(count).map((i) => ({ ...spec, name: `${prefix}-${String(i)}` }));
}

/**
 * The mixed fleet of the e2e suite, 40 nodes:
 * - 6 HGX H100 (8 GPUs, one NVSwitch island), on-demand
 * - 10 A100 PCIe (4 GPUs, NVLink bridge pairs 0-1 and 2-3), on-demand, and 8 more as spot
 * - 8 L4 (8 GPUs, PCIe only), spot
 * - 4 DGX A100 in dynamic MIG mode, on-demand
 * - 4 CPU-only nodes
 */
export function mixedFleet(): FleetNode[] {
  const h100 = { product: 'NVIDIA-H100-80GB-HBM3', gpus: 8, gpuMemoryMiB: 81559, preset: 'hgx-h100-8x-sxm', nvlinkIslands: [range(8)], sharing: null };
  const a100p = { product: 'NVIDIA-A100-PCIE-80GB', gpus: 4, gpuMemoryMiB: 81920, preset: 'a100-pcie-4x-bridge-pairs', nvlinkIslands: [[0, 1], [2, 3]], sharing: null };
  const l4 = { product: 'NVIDIA-L4', gpus: 8, gpuMemoryMiB: 23034, preset: 'l4-8x-pcie-2socket', nvlinkIslands: [], sharing: null };
  const mig = { product: 'NVIDIA-A100-SXM4-80GB', gpus: 8, gpuMemoryMiB: 81920, preset: 'dgx-a100-8x-sxm', nvlinkIslands: [range(8)], sharing: 'mig:dynamic' };
  const cpu = { product: '', gpus: 0, gpuMemoryMiB: 0, preset: null, nvlinkIslands: [], sharing: null };
  return [
    ...pool('h100', 6, { ...h100, spot: false, hourlyPrice: 98.32 }),
    ...pool('a100p', 10, { ...a100p, spot: false, hourlyPrice: 16.4 }),
    ...pool('a100p-spot', 8, { ...a100p, spot: true, hourlyPrice: 6.1 }),
    ...pool('l4-spot', 8, { ...l4, spot: true, hourlyPrice: 2.9 }),
    ...pool('a100mig', 4, { ...mig, spot: false, hourlyPrice: 32.8 }),
    ...pool('cpu', 4, { ...cpu, spot: false, hourlyPrice: 1.5 }),
  ];
}

/** The Node object KWOK manages for `spec` (annotation `kwok.x-k8s.io/node: fake`; spot nodes are labelled, not tainted). */
export function fleetNodeObject(spec: FleetNode): V1Node {
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': spec.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'node.kubernetes.io/instance-type': spec.name.replace(/-\d+$/, ''),
    'topology.kubernetes.io/zone': 'e2e-a',
    type: 'kwok',
  };
  const annotations: Record<string, string> = {
    'kwok.x-k8s.io/node': 'fake',
    'tessera.io/hourly-price': String(spec.hourlyPrice),
  };
  if (spec.spot) labels['karpenter.sh/capacity-type'] = 'spot';
  if (spec.gpus > 0) {
    labels['nvidia.com/gpu.product'] = spec.product;
    labels['nvidia.com/gpu.count'] = String(spec.gpus);
    labels['nvidia.com/gpu.memory'] = String(spec.gpuMemoryMiB);
    if (spec.preset !== null) annotations['tessera.io/topology-preset'] = spec.preset;
    if (spec.sharing !== null) annotations['tessera.io/gpu-sharing'] = spec.sharing;
  }
  const resources: Record<string, string> = { cpu: '96', memory: '1024Gi', pods: '110' };
  if (spec.gpus > 0) resources['nvidia.com/gpu'] = String(spec.gpus);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: spec.name, labels, annotations },
    status: { allocatable: resources, capacity: resources },
  };
}

/** Options of `gpuPod`. */
export interface GpuPodOptions {
  readonly name: string;
  readonly namespace: string;
  readonly resources: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

/** A pod for the tessera-scheduler profile with extended resources as both requests and limits. */
export function gpuPod(options: GpuPodOptions): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: { app: 'e2e', ...(options.labels ?? {}) },
      annotations: { ...(options.annotations ?? {}) },
    },
    spec: {
      schedulerName: 'tessera-scheduler',
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'main',
          image: 'registry.example/e2e:1',
          resources: { requests: { cpu: '100m', memory: '128Mi', ...options.resources }, limits: { ...options.resources } },
        },
      ],
    },
  };
}

/** One device of a `tessera.io/allocation` annotation, as the e2e checker reads it (format v1). */
export interface AllocatedDevice {
  readonly index: number;
  readonly uuid: string;
  readonly kind: 'whole' | 'share' | 'replica' | 'mig';
  readonly memoryMiB: number;
  readonly computeMilli: number;
  readonly mig?: { readonly profile: string; readonly start: number; readonly size: number };
}

/** Reads a pod's allocation annotation (`{"v":1,"node":…,"devices":[…]}`), or null when absent. */
export function allocationOf(pod: V1Pod): { node: string; devices: AllocatedDevice[] } | null {
  const text = pod.metadata?.annotations?.['tessera.io/allocation'];
  if (text === undefined) return null;
  const parsed = JSON.parse(text) as { v: number; node: string; devices: AllocatedDevice[] };
  if (parsed.v !== 1) throw new Error(`unexpected allocation format version ${String(parsed.v)} on ${pod.metadata?.name ?? ''}`);
  return { node: parsed.node, devices: parsed.devices };
}

/**
 * Checks the bound pods' allocations against the fleet, independently of Tessera's own accounting: every
 * allocation names the node the pod is bound to and GPUs that exist; per GPU, a whole-GPU holder is alone, the
 * compute shares add up to at most 1000 milli and memory to at most the GPU's memory, and MIG instances do not
 * overlap on the 8 memory slices. Returns the violations (empty = sound).
 */
export function allocationViolations(fleet: readonly FleetNode[], pods: readonly V1Pod[]): string[] {
  const byName = new Map(fleet.map((n) => [n.name, n]));
  const use = new Map<string, { whole: number; others: number; compute: number; memory: number; slices: number[] }>();
  const problems: string[] = [];
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    const alloc = allocationOf(pod);
    const id = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    if (nodeName === undefined || nodeName === '' || alloc === null) continue;
    if (['Succeeded', 'Failed'].includes(pod.status?.phase ?? '')) continue;
    if (alloc.node !== nodeName) problems.push(`${id}: allocation names node ${alloc.node} but the pod is bound to ${nodeName}`);
    const node = byName.get(nodeName);
    if (node === undefined) {
      problems.push(`${id}: bound to unknown node ${nodeName}`);
      continue;
    }
    for (const d of alloc.devices) {
      if (d.index < 0 || d.index >= node.gpus) {
        problems.push(`${id}: GPU index ${String(d.index)} does not exist on ${nodeName}`);
        continue;
      }
      const key = `${nodeName}/${String(d.index)}`;
      const u = use.get(key) ?? { whole: 0, others: 0, compute: 0, memory: 0, slices: new Array<number>(8).fill(0) };
      use.set(key, u);
      if (d.kind === 'whole') u.whole += 1;
      else u.others += 1;
      // A MIG instance's compute and memory are its slices' (rounded: seven 1g instances write 143 milli each):
      // MIG GPUs are judged by the slice overlap below instead.
      if (d.kind !== 'mig') {
        u.compute += d.computeMilli;
        u.memory += d.memoryMiB;
      }
      if (d.kind === 'mig' && d.mig !== undefined) {
        for (let s = d.mig.start; s < d.mig.start + d.mig.size; s++) u.slices[s] = (u.slices[s] ?? 0) + 1;
      }
    }
  }
  for (const [key, u] of use) {
    const node = byName.get(key.split('/')[0] ?? '');
    if (u.whole > 1 || (u.whole === 1 && u.others > 0)) problems.push(`${key}: a whole-GPU holder shares the GPU (${String(u.whole)} whole, ${String(u.others)} other)`);
    if (u.compute > 1000) problems.push(`${key}: ${String(u.compute)} milli of compute allocated (max 1000)`);
    if (node !== undefined && u.memory > node.gpuMemoryMiB) problems.push(`${key}: ${String(u.memory)} MiB allocated (GPU has ${String(node.gpuMemoryMiB)})`);
    if (u.slices.some((c) => c > 1)) problems.push(`${key}: MIG instances overlap on memory slices ${JSON.stringify(u.slices)}`);
  }
  return problems;
}
