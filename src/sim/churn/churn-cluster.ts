import type { NodeInventory } from '../../model/node-inventory.js';
import type { PresetCatalog } from '../../model/topology-preset.js';
import { generatedPcieMatrix } from '../../model/topology-preset.js';
import type { TraceNode } from '../replay/load-trace.js';
import type { SeededRng } from '../replay/seeded-rng.js';
import { traceNodeInventory } from '../replay/trace-to-model.js';

/**
 * The topology churn mode gives a trace node by its GPU count (the trace has none). The same for every policy:
 * 8 GPUs an NVSwitch board (every pair NVLinked), 4 GPUs PCIe cards joined by NVLink bridges in pairs, 2 GPUs
 * two cards under one host bridge, 1 GPU a single card. Other counts get the generated PCIe matrix.
 */
export const CHURN_TOPOLOGY_BY_GPU_COUNT: Readonly<Record<number, string>> = {
  8: 'dgx-a100-8x-sxm',
  4: 'a100-pcie-4x-bridge-pairs',
  2: 't4-2x',
  1: 't4-1x',
};

/** The churn cluster before the seed's node order: every `stride`-th GPU node by name, with topology. */
export function churnCluster(nodes: readonly TraceNode[], stride: number, presets: PresetCatalog): NodeInventory[] {
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`bug: node stride must be a positive integer, got ${stride}`);
  const gpuNodes = nodes.filter((n) => n.gpuCount > 0).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .filter((_, i) => i % stride === 0);
  return gpuNodes.map((n) => {
    const base = traceNodeInventory(n);
    const name = CHURN_TOPOLOGY_BY_GPU_COUNT[n.gpuCount];
    const preset = name === undefined ? undefined : presets.get(name);
    if (name !== undefined && preset === undefined) throw new Error(`cannot build the churn cluster: topology preset "${name}" is missing`);
    const topo = preset !== undefined && preset.gpuCount === n.gpuCount
      ? { links: preset.links, numaNodes: preset.numaNodes, source: preset.name }
      : { ...generatedPcieMatrix(n.gpuCount), source: `inferred-pcie-${n.gpuCount}x` };
    return {
      ...base,
      gpus: base.gpus.map((g, i) => ({ ...g, numaNode: topo.numaNodes[i] ?? null })),
      links: topo.links,
      topologySource: topo.source,
    };
  });
}

/** The seed's node order (ties between equal scores go to the lowest position, as in the FGD protocol). */
export function shuffledNodes(nodes: readonly NodeInventory[], rng: SeededRng): NodeInventory[] {
  const out = [...nodes];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.intn(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
