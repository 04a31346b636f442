import { describe, expect, it } from 'vitest';
import { ClusterCache } from '../../src/cluster/cache/cluster-cache.js';
import { createNodeParser } from '../../src/cluster/cache/node-parser.js';
import { NodeCapacityPublisher } from '../../src/server/node-capacity-publisher.js';
import { SimulatedCluster } from '../../src/sim/simulated-cluster.js';
import { fleetNodes, FleetSchema } from '../../src/sim/simulated-cluster-fleet.js';
import { SILENT_LOGGER } from '../../src/telemetry/logger.js';
import { modelParsers, startTestServer } from './harness.js';

const FLEET = FleetSchema.parse({
  apiVersion: 'tessera.io/v1alpha1', kind: 'SimulatedFleet',
  pools: [
    { name: 'frac', count: 1, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 2, gpuMemoryMiB: 81559, sharing: 'fractional' },
    { name: 'ts', count: 1, gpuProduct: 'NVIDIA-L4', gpuCount: 4, sharing: 'time-sliced:4' },
    { name: 'mig', count: 1, gpuProduct: 'NVIDIA-A100-SXM4-80GB', gpuCount: 2, gpuMemoryMiB: 81920, sharing: 'mig:dynamic' },
  ],
});

async function setup(edit: (nodes: ReturnType<typeof fleetNodes>) => void = () => undefined) {
  const nodes = fleetNodes(FLEET);
  edit(nodes);
  const sim = new SimulatedCluster(nodes);
  const p = modelParsers();
  const cache = new ClusterCache({ nodeParser: createNodeParser(p.parseNode), parseAllocation: p.parseAllocation, now: () => 0, assumeTtlMs: 1000, log: SILENT_LOGGER });
  await sim.start(cache);
  return { sim, cache, publisher: new NodeCapacityPublisher(cache, sim, SILENT_LOGGER) };
}

const capacity = (sim: SimulatedCluster, node: string) => sim.nodeCapacity(node, ['tessera.io/gpu-memory', 'tessera.io/gpu-compute', 'tessera.io/gpu-replica', 'nvidia.com/gpu']);

describe('NodeCapacityPublisher', () => {
  it('advertises each node\'s GPU totals once, and leaves a device plugin\'s nvidia.com/gpu alone', async () => {
    const { sim, publisher } = await setup();
    await publisher.tick();
    expect(capacity(sim, 'frac-0')).toEqual({ 'tessera.io/gpu-memory': '163118Mi', 'tessera.io/gpu-compute': '2000', 'nvidia.com/gpu': '2' });
    // The device plugin's 4 stands even though time-slicing could say otherwise; replicas are Tessera's.
    expect(capacity(sim, 'ts-0')).toEqual({ 'tessera.io/gpu-replica': '16', 'nvidia.com/gpu': '4' });
    // MIG GPUs advertise no totals (0 = absent: nothing to write).
    expect(capacity(sim, 'mig-0')).toEqual({ 'nvidia.com/gpu': '2' });
    expect(publisher.patches).toBe(2);
    await publisher.tick();
    expect(publisher.patches).toBe(2);
  });

  it('fills in nvidia.com/gpu where nothing advertises it (GPUs from the DRA driver)', async () => {
    const { sim, publisher } = await setup((nodes) => {
      const status = nodes[0]?.status as { capacity: Record<string, string>; allocatable: Record<string, string> };
      delete status.capacity['nvidia.com/gpu'];
      delete status.allocatable['nvidia.com/gpu'];
    });
    await publisher.tick();
    expect(capacity(sim, 'frac-0')?.['nvidia.com/gpu']).toBe('2');
    expect((sim.nodeObjects()[0]?.status as { allocatable: Record<string, string> }).allocatable['tessera.io/gpu-memory']).toBe('163118Mi');
  });

  it('retries a node whose patch failed', async () => {
    const { sim, publisher } = await setup();
    const real = sim.publishNodeCapacity.bind(sim);
    let fail = true;
    sim.publishNodeCapacity = async (node, resources) => {
      if (fail) throw new Error('HTTP 500');
      return real(node, resources);
    };
    await publisher.tick();
    expect(publisher.patches).toBe(0);
    fail = false;
    await publisher.tick();
    expect(publisher.patches).toBe(2);
  });

  it('keeps at most maxInFlight patches in flight, and still patches every node in one look', async () => {
    const many = FleetSchema.parse({
      apiVersion: 'tessera.io/v1alpha1', kind: 'SimulatedFleet',
      pools: [{ name: 'frac', count: 40, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 2, gpuMemoryMiB: 81559, sharing: 'fractional' }],
    });
    const sim = new SimulatedCluster(fleetNodes(many));
    const p = modelParsers();
    const cache = new ClusterCache({ nodeParser: createNodeParser(p.parseNode), parseAllocation: p.parseAllocation, now: () => 0, assumeTtlMs: 1000, log: SILENT_LOGGER });
    await sim.start(cache);
    const real = sim.publishNodeCapacity.bind(sim);
    let inFlight = 0;
    let most = 0;
    sim.publishNodeCapacity = async (node, resources) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight -= 1;
      return real(node, resources);
    };
    const publisher = new NodeCapacityPublisher(cache, sim, SILENT_LOGGER, 1_000, undefined, 5);
    await publisher.tick();
    expect(publisher.patches).toBe(40);
    expect(most).toBe(5);
  });

  it('runs in the server by default (config nodeCapacity: publish)', async () => {
    const t = await startTestServer({ fleet: FLEET, config: { nodeCapacity: 'publish' } });
    try {
      for (let i = 0; i < 100 && capacity(t.sim as SimulatedCluster, 'frac-0')?.['tessera.io/gpu-memory'] === undefined; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(capacity(t.sim as SimulatedCluster, 'frac-0')?.['tessera.io/gpu-memory']).toBe('163118Mi');
    } finally {
      await t.close();
    }
  });
});
