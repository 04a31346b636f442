import { FleetSchema, type Fleet } from '../../src/sim/simulated-cluster-fleet.js';

/**
 * The load's simulated fleet: the built-in mix scaled to `n` nodes, as bench/extender-latency.ts builds it
 * (1/4 H100 NVSwitch boards, 1/4 A100 PCIe bridge pairs, 1/2 spot L4 boards, with prices).
 */
export function scaledFleet(n: number): Fleet {
  const q = Math.round(n / 4);
  return FleetSchema.parse({
    apiVersion: 'tessera.io/v1alpha1', kind: 'SimulatedFleet',
    pools: [
      { name: 'h100', count: q, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 8, topologyPreset: 'hgx-h100-8x-sxm', instanceType: 'p5.48xlarge', hourlyPrice: 98.32 },
      { name: 'a100', count: q, gpuProduct: 'NVIDIA-A100-80GB-PCIe', gpuCount: 4, topologyPreset: 'a100-pcie-4x-bridge-pairs', hourlyPrice: 14.69 },
      { name: 'l4', count: n - 2 * q, gpuProduct: 'NVIDIA-L4', gpuCount: 8, topologyPreset: 'l4-8x-pcie-2socket', capacityType: 'spot', hourlyPrice: 4.6 },
    ],
  });
}

/** A realistic GPU request mix from a uniform `r` in [0, 1): half 1-GPU, a fifth 2-GPU, the rest a share of one GPU. */
export function mixedGpuRequests(r: number): Record<string, string> {
  if (r < 0.5) return { 'nvidia.com/gpu': '1' };
  if (r < 0.7) return { 'nvidia.com/gpu': '2' };
  return { 'tessera.io/gpu-memory': '8192', 'tessera.io/gpu-compute': '250' };
}

/** A deterministic rng (mulberry32) returning [0, 1). */
export function seededRng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
