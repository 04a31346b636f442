import { readFileSync } from 'node:fs';
import type { V1Node } from '@kubernetes/client-node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTopologyPresets } from '../io/load-topology-presets.js';
import type { NodeInventory } from './node-inventory.js';
import type { InventoryContext, NodeLike } from './inventory-from-node.js';
import { inventoryFromNode, migConfigLayout, parseGpuSharing, placeMigLayout } from './inventory-from-node.js';
import { InventoryParseMemo } from './inventory-parse-memo.js';
import { DEFAULT_PRICE_TABLE } from './price-table.js';

const ctx: InventoryContext = { presets: loadTopologyPresets(), priceTable: DEFAULT_PRICE_TABLE };

/** A node with the given labels, annotations and allocatable. */
function node(labels: Record<string, string>, annotations: Record<string, string> = {}, allocatable?: Record<string, string>): NodeLike {
  return { metadata: { name: 'n1', labels, annotations }, status: allocatable === undefined ? {} : { allocatable } };
}

/** Parses and fails the test on errors. */
function ok(n: NodeLike): NodeInventory {
  const r = inventoryFromNode(n, ctx);
  if (!r.ok) throw new Error(`expected the node to parse: ${JSON.stringify(r.errors)}`);
  return r.value;
}

const H100 = { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3', 'nvidia.com/gpu.count': '8', 'nvidia.com/gpu.memory': '81559' };
const A100_80 = { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB', 'nvidia.com/gpu.count': '1' };
const ANN = (k: string): string => `metadata.annotations[${JSON.stringify(k)}]`;
const LBL = (k: string): string => `metadata.labels[${JSON.stringify(k)}]`;
/** The real Azure NC96ads A100 v4 capture (NVLink bridge pairs) from topology/captures. */
const AZURE_4X = readFileSync(new URL('../../topology/captures/a100-pcie-4x-bridge-pairs-azure.txt', import.meta.url), 'utf8');

describe('inventoryFromNode GPUs and topology', () => {
  it('reads an 8x H100 SXM node from GFD labels and infers the NVSwitch board', () => {
    const inv = ok(node(H100));
    expect(inv.gpus).toHaveLength(8);
    expect(inv.gpus[0]).toMatchObject({ index: 0, uuid: 'n1-gpu0', product: 'H100-80GB', memoryMiB: 81559, computeMilli: 1000, sharing: { mode: 'fractional' }, taints: [] });
    expect(inv.gpus[7]?.uuid).toBe('n1-gpu7');
    expect(inv.links[0]?.[5]).toEqual({ level: 'NV', bonds: 18 });
    expect(inv.links[3]?.[3]?.level).toBe('X');
    expect(inv.topologySource).toBe('inferred-hgx-h100-8x-sxm');
    expect(inv.gpus.map((g) => g.numaNode)).toEqual(ctx.presets.get('hgx-h100-8x-sxm')?.numaNodes);
  });

  it.each([
    ['a node without GPU labels has 0 GPUs', {}, undefined, 0, 'none'],
    ['the GPU count falls back to allocatable nvidia.com/gpu', { 'nvidia.com/gpu.product': 'Tesla-T4' }, { 'nvidia.com/gpu': '2' }, 2, 'inferred-pcie-2x'],
    ['a PCIe label keeps 8 A100s off the NVSwitch preset', { 'nvidia.com/gpu.product': 'NVIDIA-A100-PCIE-40GB', 'nvidia.com/gpu.count': '8' }, undefined, 8, 'inferred-pcie-8x'],
    ['a partial SXM board is PCIe-inferred', { ...H100, 'nvidia.com/gpu.count': '4' }, undefined, 4, 'inferred-pcie-4x'],
  ])('%s', (_name, labels, allocatable, count, source) => {
    const inv = ok(node(labels, {}, allocatable));
    expect(inv.gpus).toHaveLength(count);
    expect(inv.links).toHaveLength(count);
    expect(inv.topologySource).toBe(source);
  });

  it('uses product memory when the memory label is absent, and the unknown product otherwise', () => {
    expect(ok(node(A100_80)).gpus[0]?.memoryMiB).toBe(81920);
    expect(ok(node({}, {}, { 'nvidia.com/gpu': '1' })).gpus[0]).toMatchObject({ product: 'unknown', memoryMiB: 0 });
  });

  it('takes a named preset, with its product when the node has no product label', () => {
    const inv = ok(node({}, { 'tessera.io/topology-preset': 'a100-pcie-4x-bridge-pairs' }));
    expect(inv.gpus).toHaveLength(4);
    expect(inv.topologySource).toBe('a100-pcie-4x-bridge-pairs');
    expect(inv.links[0]?.[1]?.level).toBe('NV');
    expect(inv.links[0]?.[2]?.level).not.toBe('NV');
    expect(inv.gpus[0]?.product).toBe(ctx.presets.get('a100-pcie-4x-bridge-pairs')?.product);
  });

  it('prefers the raw nvidia-smi matrix over a preset and reads NUMA per GPU from it', () => {
    const inv = ok(node({ 'nvidia.com/gpu.product': 'NVIDIA-A100-PCIE-80GB' }, {
      'tessera.io/nvidia-smi-topo': AZURE_4X, 'tessera.io/topology-preset': 'hgx-h100-8x-sxm',
    }));
    expect(inv.topologySource).toBe('matrix');
    expect(inv.gpus.map((g) => g.numaNode)).toEqual([0, 1, 2, 3]);
    expect(inv.links[2]?.[3]).toEqual({ level: 'NV', bonds: 12 });
    expect(inv.gpus[0]?.product).toBe('A100-80GB');
  });

  it('reads uuids, device taints, clique, rack, zone and instance type', () => {
    const inv = ok(node({
      'nvidia.com/gpu.product': 'NVIDIA-GB200', 'nvidia.com/gpu.count': '4', 'nvidia.com/gpu.clique': 'c0ffee.1',
      'tessera.io/rack': 'r7', 'topology.kubernetes.io/zone': 'z1', 'node.kubernetes.io/instance-type': 'gb200.4x',
    }, { 'tessera.io/gpu-uuids': 'GPU-a, GPU-b,GPU-c,GPU-d', 'tessera.io/gpu-taints': '1,3:unhealthy=true:NoSchedule' }));
    expect(inv.gpus.map((g) => g.uuid)).toEqual(['GPU-a', 'GPU-b', 'GPU-c', 'GPU-d']);
    expect(inv.gpus.map((g) => g.taints.length)).toEqual([0, 1, 0, 1]);
    expect(inv.gpus[3]?.taints[0]).toEqual({ key: 'unhealthy', value: 'true', effect: 'NoSchedule' });
    expect(inv).toMatchObject({ clique: 'c0ffee.1', rack: 'r7', zone: 'z1', instanceType: 'gb200.4x', topologySource: 'inferred-gb200-nvl72-node' });
  });

  it('reads host cpu and memory from allocatable, falling back to capacity', () => {
    expect(ok(node({}, {}, { cpu: '95500m', memory: '2113412Ki' }))).toMatchObject({ cpuMilli: 95500, memoryMiB: 2063 });
    expect(ok({ metadata: { name: 'n' }, status: { capacity: { cpu: '4' } } })).toMatchObject({ cpuMilli: 4000, memoryMiB: 0 });
    expect(ok({ metadata: { name: 'n' } })).toMatchObject({ cpuMilli: 0, memoryMiB: 0 });
  });
});

describe('inventoryFromNode sharing', () => {
  it.each([
    ['fractional is the default', {}, A100_80, { mode: 'fractional' }],
    ['exclusive', { 'tessera.io/gpu-sharing': 'exclusive' }, A100_80, { mode: 'exclusive' }],
    ['time-sliced with replicas', { 'tessera.io/gpu-sharing': 'time-sliced:4' }, A100_80, { mode: 'time-sliced', replicas: 4 }],
    ['dynamic MIG', { 'tessera.io/gpu-sharing': 'mig:dynamic' }, A100_80, { mode: 'mig', layout: 'dynamic' }],
    ['a fixed MIG layout is placed at legal starts, largest first', { 'tessera.io/gpu-sharing': 'mig:1g.10gb,4g.40gb' }, A100_80,
      { mode: 'mig', layout: [{ profile: '4g.40gb', start: 0, size: 4 }, { profile: '1g.10gb', start: 4, size: 1 }] }],
    ['the annotation wins over MIG labels', { 'tessera.io/gpu-sharing': 'exclusive' }, { ...A100_80, 'nvidia.com/mig.config': 'all-1g.10gb' }, { mode: 'exclusive' }],
    ['mig.config all-3g.40gb gives two 3g instances', {}, { ...A100_80, 'nvidia.com/mig.strategy': 'mixed', 'nvidia.com/mig.config': 'all-3g.40gb' },
      { mode: 'mig', layout: [{ profile: '3g.40gb', start: 0, size: 4 }, { profile: '3g.40gb', start: 4, size: 4 }] }],
    ['a mixed-strategy node without MIG devices stays fractional', {}, { ...A100_80, 'nvidia.com/mig.strategy': 'mixed' }, { mode: 'fractional' }],
    ['a single-strategy node without a MIG product suffix stays fractional', {}, { ...A100_80, 'nvidia.com/mig.strategy': 'single' }, { mode: 'fractional' }],
    ['mixed-strategy GFD counts give the per-GPU layout', {}, { ...A100_80, 'nvidia.com/gpu.count': '2', 'nvidia.com/mig.strategy': 'mixed',
      'nvidia.com/mig-3g.40gb.count': '2', 'nvidia.com/mig-1g.10gb.count': '4', 'nvidia.com/mig-1g.10gb.memory': '9856' },
    { mode: 'mig', layout: [{ profile: '3g.40gb', start: 0, size: 4 }, { profile: '1g.10gb', start: 4, size: 1 }, { profile: '1g.10gb', start: 5, size: 1 }] }],
    ['mig.config all-disabled leaves the GPU fractional', {}, { ...A100_80, 'nvidia.com/mig.strategy': 'mixed', 'nvidia.com/mig.config': 'all-disabled' }, { mode: 'fractional' }],
  ])('%s', (_name, annotations, labels, sharing) => {
    expect(ok(node(labels, annotations)).gpus[0]?.sharing).toEqual(sharing);
  });

  it('expands mig.config all-1g.10gb into seven 1g instances at starts 0..6', () => {
    const layout = migConfigLayout('A100-80GB', 'all-1g.10gb');
    expect(Array.isArray(layout) ? layout.map((m) => m.start) : layout).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('finds the all-balanced layout that first-fit would miss (3g at 4, 2g at 0)', () => {
    expect(migConfigLayout('A100-40GB', 'all-balanced')).toEqual([
      { profile: '2g.10gb', start: 0, size: 2 }, { profile: '1g.5gb', start: 2, size: 1 },
      { profile: '1g.5gb', start: 3, size: 1 }, { profile: '3g.20gb', start: 4, size: 4 },
    ]);
  });

  it('reads the single MIG strategy: the product label names the profile and the count is MIG devices', () => {
    const inv = ok(node({
      'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB-MIG-1g.5gb', 'nvidia.com/gpu.count': '14',
      'nvidia.com/gpu.memory': '4864', 'nvidia.com/mig.strategy': 'single',
    }));
    expect(inv.gpus).toHaveLength(2);
    expect(inv.gpus[1]).toMatchObject({ product: 'A100-40GB', memoryMiB: 40960 });
    const sharing = inv.gpus[0]?.sharing;
    expect(sharing?.mode === 'mig' && Array.isArray(sharing.layout) ? sharing.layout.length : -1).toBe(7);
  });

  it.each([
    ['an unknown mode', 'shared', 'expected fractional, exclusive, time-sliced:<replicas>'],
    ['zero replicas', 'time-sliced:0', 'with 1..64 replicas, got "0"'],
    ['a profile the product lacks', 'mig:3g.20gb', 'profile "3g.20gb" does not exist on A100-80GB'],
    ['a layout that does not fit', 'mig:4g.40gb,4g.40gb', 'no legal placement of 4g.40gb, 4g.40gb'],
    ['an empty profile', 'mig:1g.10gb,', 'no empty profile'],
  ])('parseGpuSharing rejects %s', (_name, text, message) => {
    const r = parseGpuSharing(text, 'A100-80GB');
    expect(typeof r).toBe('string');
    expect(r).toContain(message);
  });

  it('rejects MIG on a product without MIG', () => {
    expect(parseGpuSharing('mig:dynamic', 'L4')).toBe('product "L4" does not support MIG');
    expect(placeMigLayout('T4', ['1g.5gb'])).toBe('product "T4" does not support MIG');
  });
});

describe('inventoryFromNode capacity type and price', () => {
  it.each([
    ['an on-demand node takes the on-demand price of its instance type', { 'node.kubernetes.io/instance-type': 'p4d.24xlarge' }, {}, 'on-demand', 21.96],
    ['a spot node takes the spot price', { 'node.kubernetes.io/instance-type': 'p4d.24xlarge', 'karpenter.sh/capacity-type': 'spot' }, {}, 'spot', 8.8],
    ['the hourly-price annotation wins over the table', { 'node.kubernetes.io/instance-type': 'p4d.24xlarge' }, { 'tessera.io/hourly-price': '12.5' }, 'on-demand', 12.5],
    ['an unknown instance type has an unknown price', { 'node.kubernetes.io/instance-type': 'm5.large' }, {}, 'on-demand', null],
    ['GKE Spot is spot', { 'cloud.google.com/gke-spot': 'true' }, {}, 'spot', null],
    ['EKS SPOT is spot', { 'eks.amazonaws.com/capacityType': 'SPOT' }, {}, 'spot', null],
  ])('%s', (_name, labels, annotations, capacityType, price) => {
    expect(ok(node(labels, annotations))).toMatchObject({ capacityType, hourlyPrice: price });
  });
});

describe('inventoryFromNode errors', () => {
  it.each<[string, NodeLike, string, string]>([
    ['a GPU count that is not a number', node({ 'nvidia.com/gpu.count': 'eight' }), LBL('nvidia.com/gpu.count'), 'cannot read nvidia.com/gpu.count "eight": expected a whole number'],
    ['more than 64 GPUs', node({ 'nvidia.com/gpu.count': '65' }), LBL('nvidia.com/gpu.count'), 'cannot accept 65 GPUs on one node: at most 64'],
    ['a fractional allocatable GPU count', node({}, {}, { 'nvidia.com/gpu': '1500m' }), 'status.allocatable["nvidia.com/gpu"]', 'expected a whole number of GPUs'],
    ['an unknown preset, listing the valid names', node({}, { 'tessera.io/topology-preset': 'dgx-9000' }), ANN('tessera.io/topology-preset'),
      'unknown topology preset "dgx-9000": expected one of a100-pcie-4x-bridge-pairs, dgx-a100-8x-sxm'],
    ['a preset with another GPU count', node(H100, { 'tessera.io/topology-preset': 't4-2x' }), ANN('tessera.io/topology-preset'), 'it has 2 GPUs but the node has 8'],
    ['a matrix with another GPU count', node(H100, { 'tessera.io/nvidia-smi-topo': AZURE_4X }), ANN('tessera.io/nvidia-smi-topo'), 'it has 4 GPUs but the node has 8'],
    ['a matrix that does not parse', node({}, { 'tessera.io/nvidia-smi-topo': 'hello' }), ANN('tessera.io/nvidia-smi-topo'), 'cannot parse nvidia-smi topo -m text'],
    ['a bad sharing annotation', node(A100_80, { 'tessera.io/gpu-sharing': 'time-sliced:x' }), ANN('tessera.io/gpu-sharing'), 'cannot read GPU sharing "time-sliced:x"'],
    ['too few uuids', node(H100, { 'tessera.io/gpu-uuids': 'a,b' }), ANN('tessera.io/gpu-uuids'), 'cannot use 2 GPU uuids: the node has 8 GPUs'],
    ['a taint on a GPU the node lacks', node(A100_80, { 'tessera.io/gpu-taints': '2:a=b:NoSchedule' }), ANN('tessera.io/gpu-taints'), 'GPU index 2 out of range: the node has 1 GPU'],
    ['a bad hourly price', node({}, { 'tessera.io/hourly-price': 'cheap' }), ANN('tessera.io/hourly-price'), 'cannot read hourly price "cheap"'],
    ['a negative hourly price', node({}, { 'tessera.io/hourly-price': '-1' }), ANN('tessera.io/hourly-price'), 'expected a non-negative decimal'],
    ['a custom MIG config', node({ ...A100_80, 'nvidia.com/mig.strategy': 'mixed', 'nvidia.com/mig.config': 'custom-7' }), LBL('nvidia.com/mig.config'),
      'custom MIG config "custom-7" cannot be expanded: set tessera.io/gpu-sharing'],
    ['mixed MIG counts that do not divide over the GPUs', node({ ...A100_80, 'nvidia.com/gpu.count': '2', 'nvidia.com/mig.strategy': 'mixed', 'nvidia.com/mig-3g.40gb.count': '3' }),
      LBL('nvidia.com/mig.strategy'), '3 "3g.40gb" instances do not divide evenly over 2 GPUs'],
    ['mixed MIG counts that are no legal layout', node({ ...A100_80, 'nvidia.com/mig.strategy': 'mixed', 'nvidia.com/mig-4g.40gb.count': '2' }),
      LBL('nvidia.com/mig.strategy'), 'no legal placement of 4g.40gb, 4g.40gb'],
    ['a bad allocatable cpu', node({}, {}, { cpu: 'lots' }), 'status.allocatable["cpu"]', 'cannot read cpu "lots"'],
    ['a missing node name', { metadata: {} }, 'metadata.name', 'cannot read node name: expected a non-empty string, got undefined'],
    ['a label that is not a string', { metadata: { name: 'n', labels: { 'nvidia.com/gpu.count': 8 } } } as unknown as NodeLike, LBL('nvidia.com/gpu.count'), 'expected a string, got number 8'],
  ])('reports %s', (_name, n, path, message) => {
    const r = inventoryFromNode(n, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const hit = r.errors.find((e) => e.path === path);
      expect(hit, `errors were ${JSON.stringify(r.errors)}`).toBeDefined();
      expect(hit?.message).toContain(message);
    }
  });

  it('rejects a single GPU uuid listed twice', () => {
    const r = inventoryFromNode(node({ ...A100_80, 'nvidia.com/gpu.count': '2' }, { 'tessera.io/gpu-uuids': 'a,a' }), ctx);
    expect(r.ok ? '' : r.errors[0]?.message).toBe('cannot use duplicate GPU uuids');
  });

  it('never throws on arbitrary JSON (property)', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    const str = fc.oneof(fc.string(), fc.constantFrom('8', '2', '0', '-1', 'NVIDIA-H100-80GB-HBM3', 'all-balanced', 'mig:dynamic', 'mixed', 'single'));
    const keys = fc.constantFrom('nvidia.com/gpu.product', 'nvidia.com/gpu.count', 'nvidia.com/gpu.memory', 'nvidia.com/mig.strategy',
      'nvidia.com/mig.config', 'tessera.io/gpu-sharing', 'tessera.io/gpu-uuids', 'tessera.io/gpu-taints', 'tessera.io/topology-preset',
      'tessera.io/nvidia-smi-topo', 'tessera.io/hourly-price', 'karpenter.sh/capacity-type');
    const nodeish = fc.record({
      metadata: fc.oneof(json, fc.record({ name: fc.oneof(json, fc.constant('n')), labels: fc.dictionary(keys, str), annotations: fc.dictionary(keys, str) })),
      status: fc.oneof(json, fc.record({ allocatable: fc.dictionary(fc.constantFrom('cpu', 'memory', 'nvidia.com/gpu'), fc.oneof(json, str)) })),
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(json, nodeish), (x) => {
      const r = inventoryFromNode(x as NodeLike, ctx);
      if (r.ok) {
        expect(r.value.links).toHaveLength(r.value.gpus.length);
      } else {
        expect(r.errors.length).toBeGreaterThan(0);
      }
    }), { numRuns: 500 });
  });

  it('returns the same inventory for the same node', () => {
    const n = node(H100, { 'tessera.io/gpu-taints': '0:a=b:NoSchedule' }, { cpu: '8' });
    expect(inventoryFromNode(n, ctx)).toEqual(inventoryFromNode(n, ctx));
  });

  it('shares parsed matrices and taints between identical nodes through the caller\'s memo, and only with one', () => {
    const n = node({ 'nvidia.com/gpu.product': 'NVIDIA-A100-PCIE-80GB' }, { 'tessera.io/nvidia-smi-topo': AZURE_4X, 'tessera.io/gpu-taints': '0:a=b:NoSchedule' });
    const parse = (c: InventoryContext): NodeInventory => {
      const r = inventoryFromNode(n, c);
      if (!r.ok) throw new Error(`expected the node to parse: ${JSON.stringify(r.errors)}`);
      return r.value;
    };
    const memo: InventoryContext = { ...ctx, memo: new InventoryParseMemo() };
    const [a, b] = [parse(memo), parse(memo)];
    expect(b.links).toBe(a.links);
    expect(b.gpus[0]?.taints).toBe(a.gpus[0]?.taints);
    const [c, d] = [parse(ctx), parse(ctx)];
    expect(d.links).not.toBe(c.links);
    expect(d.gpus[0]?.taints).not.toBe(c.gpus[0]?.taints);
    expect(c).toEqual(a);
  });
});

describe('NodeLike', () => {
  it('accepts a V1Node from @kubernetes/client-node as it is (checked by the type checker)', () => {
    const v1: V1Node = { metadata: { name: 'n', labels: { 'nvidia.com/gpu.count': '2' } }, status: { allocatable: { cpu: '4' } } };
    const asNodeLike: NodeLike = v1;
    expect(ok(asNodeLike)).toMatchObject({ cpuMilli: 4000, topologySource: 'inferred-pcie-2x' });
  });
});
