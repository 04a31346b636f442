import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadTopologyPresets } from '../io/load-topology-presets.js';
import { inventoryFromNode, type NodeLike } from './inventory-from-node.js';
import { parseGpuRequest, type PodLike } from './parse-gpu-request.js';
import { DEFAULT_PRICE_TABLE } from './price-table.js';
import type { GpuRequest } from './gpu-request.js';
import type { NodeInventory } from './node-inventory.js';
import { ANNOTATION, LABEL, NVIDIA_MIG_RESOURCE_PREFIX, RESOURCE, TESSERA_MIG_RESOURCE_PREFIX } from './well-known-names.js';

/** docs/model.md's examples: every docs/examples/{pod,node}-*.yaml is parsed and checked here. */
const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');
const examples = join(docs, 'examples');
const ctx = { presets: loadTopologyPresets(), priceTable: DEFAULT_PRICE_TABLE };

const podExpectations: Record<string, Partial<GpuRequest>> = {
  'pod-fractional-inference.yaml': { kind: 'share', gpus: 1, memoryMiB: 10240, computeMilli: 250, models: ['L4', 'A10'], cpuMilli: 2000, hostMemoryMiB: 8192, interruptible: false },
  'pod-training-4gpu-nvlink.yaml': { kind: 'whole', gpus: 4, topology: 'nvlink-required', models: ['H100', 'A100-80GB'], group: 'llama-finetune-42', priority: 1000, cpuMilli: 32000, hostMemoryMiB: 262144 },
  'pod-interruptible-batch.yaml': { kind: 'whole', gpus: 1, interruptible: true, topology: 'any', cpuMilli: 500 },
  'pod-mig.yaml': { kind: 'mig', gpus: 0, mig: [{ profile: '3g.40gb', count: 1 }], topology: 'any' },
  'pod-time-sliced.yaml': { kind: 'replica', gpus: 2, interruptible: true, topology: 'nvlink-preferred' },
  'pod-init-and-sidecar.yaml': { kind: 'whole', gpus: 2, cpuMilli: 5000 },
  'pod-job-group-member.yaml': { kind: 'whole', gpus: 2, group: 'llama-pretrain-7' },
};

/** Checks beyond toMatchObject for each node example. */
const nodeExpectations: Record<string, (inv: NodeInventory) => void> = {
  'node-h100-gfd-spot.yaml': (inv) => {
    expect(inv).toMatchObject({ capacityType: 'spot', hourlyPrice: 22, instanceType: 'p5.48xlarge', zone: 'us-east-1a', rack: 'r12', topologySource: 'inferred-hgx-h100-8x-sxm', cpuMilli: 191000, memoryMiB: 2_048_000 });
    expect(inv.gpus).toHaveLength(8);
    expect(inv.gpus.every((g) => g.product === 'H100-80GB' && g.memoryMiB === 81559 && g.sharing.mode === 'fractional')).toBe(true);
    expect(inv.links[1]?.[6]).toEqual({ level: 'NV', bonds: 18 });
  },
  'node-a100-pcie-preset.yaml': (inv) => {
    expect(inv).toMatchObject({ topologySource: 'a100-pcie-4x-bridge-pairs', hourlyPrice: 9.6, capacityType: 'on-demand', cpuMilli: 95500 });
    expect(inv.gpus.map((g) => g.uuid)).toEqual(['GPU-0a1b', 'GPU-1c2d', 'GPU-2e3f', 'GPU-3a4b']);
    expect(inv.gpus.map((g) => g.taints.map((t) => `${t.key}=${t.value}:${t.effect}`))).toEqual([[], [], ['team=ml:NoSchedule'], ['unhealthy=true:NoSchedule']]);
    expect(inv.gpus[0]).toMatchObject({ product: 'A100-40GB' });
  },
  'node-a100-mig-balanced.yaml': (inv) => {
    expect(inv.gpus).toHaveLength(8);
    expect(inv.gpus[5]?.sharing).toEqual({ mode: 'mig', layout: [
      { profile: '2g.20gb', start: 0, size: 2 }, { profile: '1g.10gb', start: 2, size: 1 },
      { profile: '1g.10gb', start: 3, size: 1 }, { profile: '3g.40gb', start: 4, size: 4 },
    ] });
  },
  'node-mig-fixed-layout.yaml': (inv) => {
    expect(inv.gpus).toHaveLength(2);
    expect(inv.gpus[1]?.sharing).toEqual({ mode: 'mig', layout: [
      { profile: '4g.40gb', start: 0, size: 4 }, { profile: '2g.20gb', start: 4, size: 2 }, { profile: '1g.10gb', start: 6, size: 1 },
    ] });
  },
  'node-l4-time-sliced.yaml': (inv) => {
    expect(inv).toMatchObject({ capacityType: 'spot', hourlyPrice: 0.35, topologySource: 'inferred-pcie-2x' });
    expect(inv.gpus.map((g) => g.sharing)).toEqual([{ mode: 'time-sliced', replicas: 4 }, { mode: 'time-sliced', replicas: 4 }]);
  },
  'node-topology-matrix.yaml': (inv) => {
    expect(inv).toMatchObject({ topologySource: 'matrix' });
    expect(inv.gpus.map((g) => [g.product, g.numaNode])).toEqual([['A100-80GB', 0], ['A100-80GB', 1], ['A100-80GB', 2], ['A100-80GB', 3]]);
    expect(inv.links[0]?.[1]).toEqual({ level: 'NV', bonds: 12 });
    expect(inv.links[1]?.[2]?.level).toBe('SYS');
  },
  'node-cpu-only.yaml': (inv) => {
    expect(inv).toMatchObject({ gpus: [], links: [], cpuMilli: 8000, memoryMiB: 32768, topologySource: 'none', hourlyPrice: null });
  },
};

const files = readdirSync(examples).filter((f) => /^(pod|node)-.*\.yaml$/.test(f)).sort();

describe('docs/examples', () => {
  it('has an expectation for every example file and a file for every expectation', () => {
    expect(files).toEqual([...Object.keys(podExpectations), ...Object.keys(nodeExpectations)].sort());
  });

  it.each(files.filter((f) => f.startsWith('pod-')))('%s parses to the request docs/model.md describes', (file) => {
    const pod = parse(readFileSync(join(examples, file), 'utf8')) as PodLike & { kind?: string };
    expect(pod.kind).toBe('Pod');
    const r = parseGpuRequest(pod);
    expect(r.ok ? null : r.errors).toBeNull();
    if (r.ok) expect(r.value).toMatchObject(podExpectations[file] ?? { missing: true });
  });

  it.each(files.filter((f) => f.startsWith('node-')))('%s parses to the inventory docs/model.md describes', (file) => {
    const node = parse(readFileSync(join(examples, file), 'utf8')) as NodeLike & { kind?: string };
    expect(node.kind).toBe('Node');
    const r = inventoryFromNode(node, ctx);
    expect(r.ok ? null : r.errors).toBeNull();
    const check = nodeExpectations[file];
    expect(check).toBeDefined();
    if (r.ok && check !== undefined) check(r.value);
  });

  it('documents every resource, annotation and label name in docs/model.md', () => {
    const text = readFileSync(join(docs, 'model.md'), 'utf8');
    const names = [...Object.values(RESOURCE), ...Object.values(ANNOTATION), ...Object.values(LABEL),
      `${TESSERA_MIG_RESOURCE_PREFIX}<profile>`, `${NVIDIA_MIG_RESOURCE_PREFIX}<profile>`];
    expect(names.filter((n) => !text.includes(`\`${n}`))).toEqual([]);
  });

  it('quotes error messages in docs/model.md exactly as the parser produces them', () => {
    const text = readFileSync(join(docs, 'model.md'), 'utf8');
    const r = parseGpuRequest({
      metadata: { annotations: { 'tessera.io/topology': 'fast' } },
      spec: { containers: [{ resources: { requests: { 'tessera.io/gpu-compute': '1200' } } }] },
    });
    expect(r.ok).toBe(false);
    for (const e of r.ok ? [] : r.errors) expect(text).toContain(`${e.path}: ${e.message}`);
  });
});
