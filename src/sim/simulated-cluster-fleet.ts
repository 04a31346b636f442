import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import type { NodeObject } from '../cluster/cache/cluster-source.js';
import { ANNOTATION, LABEL, RESOURCE } from '../model/well-known-names.js';

const Name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label such as "h100"');

/** One pool of identical simulated nodes, named `<name>-<i>`. */
export const FleetPoolSchema = z.strictObject({
  name: Name,
  count: z.int().min(1).max(20_000),
  /** GPU Feature Discovery `nvidia.com/gpu.product` value, e.g. `NVIDIA-H100-80GB-HBM3`. */
  gpuProduct: z.string().min(1),
  gpuCount: z.int().min(0).max(64),
  /** `nvidia.com/gpu.memory` (MiB per GPU). */
  gpuMemoryMiB: z.int().min(1).optional(),
  /** Topology preset name (topology/presets/index.json); omitted = inferred from product and count. */
  topologyPreset: z.string().min(1).optional(),
  /** Value of the node annotation `tessera.io/gpu-sharing` (see docs/model.md); omitted = exclusive GPUs. */
  sharing: z.string().min(1).optional(),
  instanceType: z.string().min(1).optional(),
  capacityType: z.enum(['on-demand', 'spot']).default('on-demand'),
  /** Price per node-hour; written as the annotation `tessera.io/hourly-price`. */
  hourlyPrice: z.number().min(0).optional(),
  zone: z.string().min(1).optional(),
  /** Allocatable host CPU and memory as Kubernetes quantities. */
  cpu: z.string().min(1).default('96'),
  memory: z.string().min(1).default('768Gi'),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
});

/** A simulated fleet file (`serve --cluster sim:<file>`), YAML or JSON. */
export const FleetSchema = z.strictObject({
  apiVersion: z.literal('tessera.io/v1alpha1'),
  kind: z.literal('SimulatedFleet'),
  pools: z.array(FleetPoolSchema).min(1),
});

/** A validated fleet. */
export type Fleet = z.infer<typeof FleetSchema>;
/** A validated pool. */
export type FleetPool = z.infer<typeof FleetPoolSchema>;

/**
 * The built-in fleet (`--cluster sim`): 4 H100 NVSwitch nodes, 4 A100 PCIe bridge-pair nodes, 8 L4 spot nodes
 * with prices. docs/examples/fleet.yaml holds the same fleet as a file.
 */
export const DEFAULT_FLEET: Fleet = FleetSchema.parse({
  apiVersion: 'tessera.io/v1alpha1',
  kind: 'SimulatedFleet',
  pools: [
    {
      name: 'h100', count: 4, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 8, gpuMemoryMiB: 81559,
      topologyPreset: 'hgx-h100-8x-sxm', instanceType: 'p5.48xlarge', capacityType: 'on-demand', hourlyPrice: 98.32,
      zone: 'us-east-1a', cpu: '192', memory: '2048Gi',
    },
    {
      name: 'a100', count: 4, gpuProduct: 'NVIDIA-A100-80GB-PCIe', gpuCount: 4, gpuMemoryMiB: 81920,
      topologyPreset: 'a100-pcie-4x-bridge-pairs', instanceType: 'Standard_NC96ads_A100_v4', capacityType: 'on-demand',
      hourlyPrice: 14.69, zone: 'us-east-1b', cpu: '96', memory: '880Gi',
    },
    {
      name: 'l4', count: 8, gpuProduct: 'NVIDIA-L4', gpuCount: 8, gpuMemoryMiB: 23034,
      topologyPreset: 'l4-8x-pcie-2socket', instanceType: 'g6.48xlarge', capacityType: 'spot', hourlyPrice: 4.6,
      zone: 'us-east-1c', cpu: '192', memory: '768Gi',
    },
  ],
});

/** One problem in a fleet file, by path. */
export interface FleetIssue {
  readonly path: string;
  readonly message: string;
}

/** Parses and validates a fleet file's text (YAML or JSON); every problem is reported by path. */
export function parseFleet(text: string): { ok: true; fleet: Fleet } | { ok: false; errors: FleetIssue[] } {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return { ok: false, errors: [{ path: '(file)', message: `not valid YAML: ${(err as Error).message}` }] };
  }
  const r = FleetSchema.safeParse(doc);
  if (!r.success) {
    return {
      ok: false,
      errors: r.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(file)', message: i.message })),
    };
  }
  const names = new Set<string>();
  const errors: FleetIssue[] = [];
  r.data.pools.forEach((p, i) => {
    if (names.has(p.name)) errors.push({ path: `pools.${i}.name`, message: `duplicate pool name "${p.name}"` });
    names.add(p.name);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, fleet: r.data };
}

/**
 * The fleet's core/v1 Node objects, labelled as GPU Feature Discovery and the cloud would label them, so the
 * simulated cluster goes through the same `inventoryFromNode` as a real one.
 */
export function fleetNodes(fleet: Fleet): NodeObject[] {
  const nodes: NodeObject[] = [];
  for (const pool of fleet.pools) {
    for (let i = 0; i < pool.count; i += 1) nodes.push(poolNode(pool, i));
  }
  return nodes;
}

function poolNode(pool: FleetPool, i: number): NodeObject {
  const name = `${pool.name}-${i}`;
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    [LABEL.gpuProduct]: pool.gpuProduct,
    [LABEL.gpuCount]: String(pool.gpuCount),
    [LABEL.capacityType]: pool.capacityType,
    'tessera.io/pool': pool.name,
  };
  if (pool.gpuMemoryMiB !== undefined) labels[LABEL.gpuMemory] = String(pool.gpuMemoryMiB);
  if (pool.instanceType !== undefined) labels[LABEL.instanceType] = pool.instanceType;
  if (pool.zone !== undefined) labels[LABEL.zone] = pool.zone;
  Object.assign(labels, pool.labels);
  const annotations: Record<string, string> = {};
  if (pool.topologyPreset !== undefined) annotations[ANNOTATION.topologyPreset] = pool.topologyPreset;
  if (pool.hourlyPrice !== undefined) annotations[ANNOTATION.hourlyPrice] = String(pool.hourlyPrice);
  if (pool.sharing !== undefined) annotations[ANNOTATION.gpuSharing] = pool.sharing;
  Object.assign(annotations, pool.annotations);
  const resources = { cpu: pool.cpu, memory: pool.memory, pods: '110', [RESOURCE.nvidiaGpu]: String(pool.gpuCount) };
  return {
    metadata: { name, uid: `sim-node-${name}`, resourceVersion: '1', labels, annotations },
    spec: {},
    status: { capacity: resources, allocatable: resources, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}
