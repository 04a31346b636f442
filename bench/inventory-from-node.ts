/**
 * Prints how long inventoryFromNode takes over 5,000 full core/v1 Node objects (a realistic mixed fleet:
 * GFD-labelled H100 and A100 boards, MIG nodes, spot L4 nodes, preset and raw nvidia-smi matrix nodes,
 * CPU nodes; each with the usual kubelet labels, conditions and images).
 * Run: node --expose-gc --import tsx bench/inventory-from-node.ts (with --expose-gc the garbage of the previous
 * round is collected before each timed round, so the figure is the parse alone; `npx tsx` works too).
 */
import { readFileSync } from 'node:fs';
import { loadTopologyPresets } from '../src/io/load-topology-presets.js';
import { inventoryFromNode, type NodeLike } from '../src/model/inventory-from-node.js';
import { InventoryParseMemo } from '../src/model/inventory-parse-memo.js';
import { DEFAULT_PRICE_TABLE } from '../src/model/price-table.js';

const ctx = { presets: loadTopologyPresets(), priceTable: DEFAULT_PRICE_TABLE, memo: new InventoryParseMemo() };
/** The real Azure NC96ads A100 v4 capture (NVLink bridge pairs) from topology/captures. */
const MATRIX = readFileSync(new URL('../topology/captures/a100-pcie-4x-bridge-pairs-azure.txt', import.meta.url), 'utf8');

/** One realistic node; `i` varies the kind. */
function makeNode(i: number): NodeLike {
  const name = `gpu-node-${i}`;
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64',
    'topology.kubernetes.io/zone': `us-east-1${'abc'[i % 3]}`, 'topology.kubernetes.io/region': 'us-east-1',
    'node.kubernetes.io/instance-type': 'p5.48xlarge', 'tessera.io/rack': `r${i % 40}`,
    'nvidia.com/cuda.driver.major': '550', 'nvidia.com/cuda.driver.minor': '90', 'nvidia.com/cuda.runtime.major': '12',
    'nvidia.com/gfd.timestamp': '1717000000', 'nvidia.com/gpu.compute.major': '9', 'nvidia.com/gpu.compute.minor': '0',
    'nvidia.com/gpu.family': 'hopper', 'nvidia.com/gpu.machine': 'PowerEdge-XE9680', 'nvidia.com/gpu.present': 'true',
    'nvidia.com/gpu.deploy.device-plugin': 'true', 'nvidia.com/gpu.deploy.gpu-feature-discovery': 'true',
    'feature.node.kubernetes.io/cpu-model.vendor_id': 'Intel', 'feature.node.kubernetes.io/kernel-version.full': '6.8.0-1015-aws',
  };
  const annotations: Record<string, string> = {
    'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
    'nfd.node.kubernetes.io/feature-labels': 'cpu-model.vendor_id,kernel-version.full',
  };
  const allocatable: Record<string, string> = { cpu: '191450m', memory: '2097152000Ki', 'ephemeral-storage': '3500Gi', pods: '110', 'hugepages-1Gi': '0' };
  switch (i % 6) {
    case 0: case 1:
      Object.assign(labels, { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3', 'nvidia.com/gpu.count': '8', 'nvidia.com/gpu.memory': '81559' });
      if (i % 12 === 1) labels['karpenter.sh/capacity-type'] = 'spot';
      allocatable['nvidia.com/gpu'] = '8';
      break;
    case 2:
      Object.assign(labels, { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB', 'nvidia.com/gpu.count': '8', 'nvidia.com/mig.strategy': 'mixed', 'nvidia.com/mig.config': 'all-balanced' });
      break;
    case 3:
      Object.assign(labels, { 'nvidia.com/gpu.product': 'NVIDIA-L4', 'nvidia.com/gpu.count': '8', 'kubernetes.azure.com/scalesetpriority': 'spot' });
      annotations['tessera.io/gpu-sharing'] = 'time-sliced:4';
      annotations['tessera.io/gpu-taints'] = '7:unhealthy=true:NoSchedule';
      break;
    case 4:
      Object.assign(labels, { 'nvidia.com/gpu.product': 'NVIDIA-A100-PCIE-40GB', 'nvidia.com/gpu.count': '4' });
      annotations[i % 12 === 4 ? 'tessera.io/nvidia-smi-topo' : 'tessera.io/topology-preset'] = i % 12 === 4 ? MATRIX : 'a100-pcie-4x-bridge-pairs';
      annotations['tessera.io/gpu-uuids'] = [0, 1, 2, 3].map((g) => `GPU-${i}-${g}-6f1c2e4b-8a7d`).join(',');
      annotations['tessera.io/hourly-price'] = '9.6';
      break;
    default:
      break;
  }
  return {
    metadata: { name, labels, annotations },
    status: {
      capacity: { ...allocatable }, allocatable,
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({ type, status: type === 'Ready' ? 'True' : 'False', lastHeartbeatTime: '2026-11-22T10:00:00Z', reason: 'Kubelet', message: 'ok' })),
      addresses: [{ type: 'InternalIP', address: `10.0.${i >> 8}.${i & 255}` }, { type: 'Hostname', address: name }],
      nodeInfo: { kubeletVersion: 'v1.35.0', containerRuntimeVersion: 'containerd://2.0.0', osImage: 'Ubuntu 24.04', kernelVersion: '6.8.0', architecture: 'amd64' },
      images: Array.from({ length: 20 }, (_, k) => ({ names: [`registry.example.com/image-${k}@sha256:${'ab'.repeat(32)}`], sizeBytes: 1e9 })),
    },
  } as NodeLike;
}

// Nodes arrive as JSON (a full-node extender body or a watch event), so each round parses fresh objects.
const json = JSON.stringify(Array.from({ length: 5000 }, (_, i) => makeNode(i)));
const rounds: number[] = [];
const cpuRounds: number[] = [];
let failures = 0;
for (let r = 0; r < 25; r++) {
  const nodes = JSON.parse(json) as NodeLike[];
  (globalThis as { gc?: () => void }).gc?.();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const n of nodes) if (!inventoryFromNode(n, ctx).ok) failures++;
  rounds.push(Number(process.hrtime.bigint() - t0) / 1e6);
  const c = process.cpuUsage(c0);
  cpuRounds.push((c.user + c.system) / 1e3);
}
/** Quantiles of the warm rounds (the first 5 warm up the JIT and the memos). */
const stats = (xs: number[]): { p50: number; p90: number; min: number } => {
  const w = xs.slice(5).sort((a, b) => a - b);
  const at = (q: number): number => w[Math.min(w.length - 1, Math.floor(q * w.length))] ?? NaN;
  return { p50: at(0.5), p90: at(0.9), min: at(0) };
};
const wall = stats(rounds);
const cpu = stats(cpuRounds);
const f = (x: number): string => x.toFixed(1);
console.log(`inventoryFromNode over 5,000 full nodes (parse failures: ${failures}; load average shows how shared the CPU was)`);
console.log(`  wall: first round ${f(rounds[0] ?? NaN)} ms, warm p50 ${f(wall.p50)} ms, p90 ${f(wall.p90)} ms, min ${f(wall.min)} ms`);
console.log(`  cpu:  first round ${f(cpuRounds[0] ?? NaN)} ms, warm p50 ${f(cpu.p50)} ms, p90 ${f(cpu.p90)} ms, min ${f(cpu.min)} ms (${f((cpu.p50 * 1000) / 5000)} µs/node)`);
