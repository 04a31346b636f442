/**
 * Prints how long inventoryFromNode takes over 5,000 full core/v1 Node objects (a realistic mixed fleet:
 * GFD-labelled H100 and A100 boards, MIG nodes, spot L4 nodes, preset and raw nvidia-smi matrix nodes,
 * CPU nodes; each with the usual kubelet labels, conditions and images). Run: npx tsx bench/inventory-from-node.ts
 */
import { loadTopologyPresets } from '../src/io/load-topology-presets.js';
import { inventoryFromNode, type NodeLike } from '../src/model/inventory-from-node.js';
import { DEFAULT_PRICE_TABLE } from '../src/model/price-table.js';

const ctx = { presets: loadTopologyPresets(), priceTable: DEFAULT_PRICE_TABLE };
const MATRIX = [
  '        GPU0    GPU1    GPU2    GPU3    CPU Affinity    NUMA Affinity',
  'GPU0     X      NV12    SYS     SYS     0-23    0',
  'GPU1    NV12     X      SYS     SYS     24-47   1',
  'GPU2    SYS     SYS      X      NV12    48-71   2',
  'GPU3    SYS     SYS     NV12     X      72-95   3',
].join('\n');

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
let failures = 0;
for (let r = 0; r < 25; r++) {
  const nodes = JSON.parse(json) as NodeLike[];
  const t0 = process.hrtime.bigint();
  for (const n of nodes) if (!inventoryFromNode(n, ctx).ok) failures++;
  rounds.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const warm = rounds.slice(5).sort((a, b) => a - b);
const pick = (q: number): string => (warm[Math.min(warm.length - 1, Math.floor(q * warm.length))] ?? NaN).toFixed(1);
console.log(`inventoryFromNode over 5,000 full nodes: first round ${rounds[0]?.toFixed(1)} ms, warm p50 ${pick(0.5)} ms, p90 ${pick(0.9)} ms, min ${pick(0)} ms (${(Number(pick(0.5)) * 1000 / 5000).toFixed(1)} µs/node); parse failures: ${failures}`);
