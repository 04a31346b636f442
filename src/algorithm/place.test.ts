import { describe, expect, it } from 'vitest';
import type { GpuRequest } from '../model/gpu-request.js';
import type { NodeInventory, } from '../model/node-inventory.js';
import type { NodeUsage } from '../model/allocation.js';
import { prefilter } from './cycle-state.js';
import { EvaluationMemo } from './evaluation-memo.js';
import { makeNodeState } from './node-state.js';
import { placeOnNode } from './place.js';
import { DEFAULT_SCHEDULING_OPTIONS } from './scheduling-options.js';
import { makeSnapshot } from './snapshot.js';
import { BRIDGE_PAIRS_4, gpu, matrix, node, request, uniformLinks, usage } from './test-fixtures.js';

const WHOLE = { whole: true, memoryMiB: 81559, computeMilli: 1000 };

/** 8 GPUs as two NVLink quads {0-3} and {4-7} (NV4 inside, SYS across); the DGX-1-like hybrid cube is below. */
const TWO_QUADS = matrix(Array.from({ length: 8 }, (_, i) =>
  Array.from({ length: 8 }, (_, j) => (i === j ? 'X' : Math.floor(i / 4) === Math.floor(j / 4) ? 'NV4' : 'SYS')).join(' ')));

/** 8x L40S PCIe across two sockets: PIX within pairs, NODE within a socket, SYS across. */
const PCIE_TWO_SOCKETS = matrix(Array.from({ length: 8 }, (_, i) =>
  Array.from({ length: 8 }, (_, j) => {
    if (i === j) return 'X';
    if (Math.floor(i / 4) !== Math.floor(j / 4)) return 'SYS';
    return Math.floor(i / 2) === Math.floor(j / 2) ? 'PIX' : 'NODE';
  }).join(' ')));

const MIXED_SIZES: NodeInventory = node('mixed', {
  gpus: [gpu(0, { product: 'A100-40GB' }), gpu(1, { product: 'A100-40GB' }), gpu(2, { product: 'A100-80GB' }), gpu(3, { product: 'A100-80GB' })],
  links: uniformLinks(4, 'PHB'),
});

interface Row {
  readonly name: string;
  readonly inv: NodeInventory;
  readonly held?: (inv: NodeInventory) => NodeUsage;
  readonly req: GpuRequest;
  /** Expected GPU positions, or the expected status code and a reason fragment. */
  readonly gpus?: readonly number[];
  readonly code?: 'unschedulable' | 'unresolvable';
  readonly reason?: string;
}

const rows: Row[] = [
  { name: 'keeps a 4-GPU pod inside one NVLink quad', inv: node('q', { links: TWO_QUADS }), req: request({ gpus: 4 }), gpus: [0, 1, 2, 3] },
  {
    name: 'takes the complete quad rather than splitting the partly used one',
    inv: node('q', { links: TWO_QUADS }), held: (inv) => usage(inv, { 0: WHOLE }), req: request({ gpus: 3 }), gpus: [1, 2, 3],
  },
  {
    name: 'rejects nvlink-required larger than any free island as unschedulable with the island size',
    inv: node('q', { links: TWO_QUADS }), held: (inv) => usage(inv, { 0: WHOLE, 1: WHOLE, 4: WHOLE, 5: WHOLE }),
    req: request({ gpus: 4, topology: 'nvlink-required' }), code: 'unschedulable', reason: 'need 4 NVLink-connected whole GPUs: largest free NVLink island has 2',
  },
  {
    name: 'rejects nvlink-required larger than the node\'s largest island as unresolvable',
    inv: node('q', { links: TWO_QUADS }), req: request({ gpus: 5, topology: 'nvlink-required' }), code: 'unresolvable',
    reason: 'largest NVLink island on the node has 4',
  },
  {
    name: 'fits a pod smaller than an island inside the partly used quad, keeping the other quad whole',
    inv: node('q', { links: TWO_QUADS }), held: (inv) => usage(inv, { 0: WHOLE, 1: WHOLE }), req: request({ gpus: 2, topology: 'nvlink-required' }), gpus: [2, 3],
  },
  {
    name: 'spans a pod larger than an island over one whole quad plus one GPU',
    inv: node('q', { links: TWO_QUADS }), req: request({ gpus: 5, topology: 'nvlink-preferred' }), gpus: [0, 1, 2, 3, 4],
  },
  { name: 'takes a bridged pair for a 2-GPU pod on bridge pairs', inv: node('b', { count: 4, links: BRIDGE_PAIRS_4 }), req: request({ gpus: 2 }), gpus: [0, 1] },
  {
    name: 'takes the intact bridge pair when one pair is broken (not first fit)',
    inv: node('b', { count: 4, links: BRIDGE_PAIRS_4 }), held: (inv) => usage(inv, { 0: WHOLE }), req: request({ gpus: 2 }), gpus: [2, 3],
  },
  {
    name: 'puts a 1-GPU pod on the orphan of a broken bridge pair, keeping the intact pair free',
    inv: node('b', { count: 4, links: BRIDGE_PAIRS_4 }), held: (inv) => usage(inv, { 2: WHOLE }), req: request(), gpus: [3],
  },
  {
    name: 'puts a share on the orphan of a broken bridge pair when no GPU is partly used',
    inv: node('b', { count: 4, links: BRIDGE_PAIRS_4 }), held: (inv) => usage(inv, { 1: WHOLE }), req: request({ kind: 'share', memoryMiB: 8192, computeMilli: 200 }), gpus: [0],
  },
  { name: 'places 8 GPUs on an NVSwitch board', inv: node('s'), req: request({ gpus: 8, topology: 'nvlink-required' }), gpus: [0, 1, 2, 3, 4, 5, 6, 7] },
  {
    name: 'places an nvlink-required pair anywhere on NVSwitch when six GPUs are held',
    inv: node('s'), held: (inv) => usage(inv, { 0: WHOLE, 1: WHOLE, 2: WHOLE, 4: WHOLE, 5: WHOLE, 6: WHOLE }),
    req: request({ gpus: 2, topology: 'nvlink-required' }), gpus: [3, 7],
  },
  {
    name: 'rejects nvlink-required on a PCIe-only node as unresolvable',
    inv: node('p', { links: PCIE_TWO_SOCKETS, product: 'L40S' }), req: request({ gpus: 2, topology: 'nvlink-required' }), code: 'unresolvable',
    reason: 'need 2 NVLink-connected whole GPUs: largest NVLink island on the node has 1',
  },
  { name: 'prefers a PIX pair over NODE and SYS on PCIe', inv: node('p', { links: PCIE_TWO_SOCKETS, product: 'L40S' }), held: (inv) => usage(inv, { 0: WHOLE }), req: request({ gpus: 2 }), gpus: [2, 3] },
  {
    name: 'keeps a numa pod on one socket',
    inv: node('p', { links: PCIE_TWO_SOCKETS, product: 'L40S' }), held: (inv) => usage(inv, { 0: WHOLE, 1: WHOLE }),
    req: request({ gpus: 3, topology: 'numa' }), gpus: [4, 5, 6],
  },
  {
    name: 'rejects a numa pod larger than a socket as unresolvable',
    inv: node('p', { links: PCIE_TWO_SOCKETS, product: 'L40S' }), req: request({ gpus: 5, topology: 'numa' }), code: 'unresolvable', reason: 'at most 4 per NUMA node',
  },
  {
    name: 'puts a 30 GiB share on a 40 GB GPU of a mixed node, keeping the 80 GB GPUs whole',
    inv: MIXED_SIZES, req: request({ kind: 'share', memoryMiB: 30720, computeMilli: 300 }), gpus: [0],
  },
  {
    name: 'puts a 60 GiB share only on an 80 GB GPU of a mixed node',
    inv: MIXED_SIZES, req: request({ kind: 'share', memoryMiB: 61440, computeMilli: 500 }), gpus: [2],
  },
  {
    name: 'fills a partly used GPU before breaking an empty one',
    inv: node('s'), held: (inv) => usage(inv, { 5: { memoryMiB: 20000, computeMilli: 300 } }),
    req: request({ kind: 'share', memoryMiB: 10000, computeMilli: 200 }), gpus: [5],
  },
  {
    name: 'rejects a share that needs more memory than any GPU has free with the best GPU in the reason',
    inv: node('s', { count: 2, links: uniformLinks(2, 'NV18') }), held: (inv) => usage(inv, { 0: { memoryMiB: 73367, computeMilli: 0 }, 1: WHOLE }),
    req: request({ kind: 'share', memoryMiB: 20480, computeMilli: 500 }), code: 'unschedulable',
    reason: 'need 1 GPU with 20480 MiB and 500 milli free: best GPU has 8192 MiB / 1000 milli',
  },
  {
    name: 'places a 3g.40gb MIG instance at start 4 to keep start 0 for a 4g on a dynamic H100',
    inv: node('m', { count: 1, links: uniformLinks(1, 'X'), sharing: { mode: 'mig', layout: 'dynamic' } }),
    req: request({ kind: 'mig', gpus: 0, mig: [{ profile: '3g.40gb', count: 1 }] }), gpus: [0],
  },
  {
    name: 'rejects 3 × 3g.40gb on one MIG GPU as unresolvable',
    inv: node('m', { count: 1, links: uniformLinks(1, 'X'), sharing: { mode: 'mig', layout: 'dynamic' } }),
    req: request({ kind: 'mig', gpus: 0, mig: [{ profile: '3g.40gb', count: 3 }] }), code: 'unresolvable', reason: 'even the empty node',
  },
  {
    name: 'takes the free instance of a fixed MIG layout',
    inv: node('f', {
      count: 1, links: uniformLinks(1, 'X'),
      sharing: { mode: 'mig', layout: [{ profile: '3g.40gb', start: 0, size: 4 }, { profile: '2g.20gb', start: 4, size: 2 }, { profile: '1g.10gb', start: 6, size: 1 }] },
    }),
    held: (inv) => usage(inv, { 0: { mig: [{ profile: '3g.40gb', start: 0, size: 4 }] } }),
    req: request({ kind: 'mig', gpus: 0, mig: [{ profile: '2g.20gb', count: 1 }] }), gpus: [0],
  },
  {
    name: 'never takes a MIG GPU whole',
    inv: node('m', { count: 2, links: uniformLinks(2, 'NV18'), sharing: { mode: 'mig', layout: 'dynamic' } }),
    req: request(), code: 'unresolvable', reason: 'need 1 whole GPU: node has 0',
  },
  {
    name: 'gives a replica on the time-sliced GPU with the fewest free replicas',
    inv: node('t', { count: 2, links: uniformLinks(2, 'SYS'), product: 'T4', sharing: { mode: 'time-sliced', replicas: 4 } }),
    held: (inv) => usage(inv, { 1: { replicas: 2 } }), req: request({ kind: 'replica' }), gpus: [1],
  },
];

describe('placeOnNode topology cases', () => {
  it.each(rows)('placeOnNode $name', (row) => {
    const state = makeNodeState(row.inv, row.held?.(row.inv));
    const cycle = prefilter(row.req, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS));
    const r = placeOnNode(row.req, state, cycle);
    if (row.gpus !== undefined) {
      expect(r.status).toEqual({ code: 'success' });
      expect(r.allocation?.devices.map((d) => d.gpuIndex)).toEqual(row.gpus);
    } else {
      expect(r.status.code).toBe(row.code);
      expect(r.status.code === 'success' ? '' : r.status.reason).toContain(row.reason);
      expect(r.allocation).toBeNull();
    }
  });

  it('places the 3g.40gb instance at start 4 and then still fits a 4g.40gb at 0', () => {
    const inv = node('m', { count: 1, links: uniformLinks(1, 'X'), sharing: { mode: 'mig', layout: 'dynamic' } });
    const req = request({ kind: 'mig', gpus: 0, mig: [{ profile: '3g.40gb', count: 1 }] });
    const state = makeNodeState(inv);
    const a = placeOnNode(req, state, prefilter(req, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS))).allocation;
    expect(a?.devices[0]?.mig).toEqual({ profile: '3g.40gb', start: 4, size: 4 });
  });

  it('puts a 2g.20gb next to a 1g.10gb on a used MIG GPU, at the start that keeps a 3g placement free', () => {
    const inv = node('m', { count: 2, links: uniformLinks(2, 'NV18'), sharing: { mode: 'mig', layout: 'dynamic' } });
    const state = makeNodeState(inv, usage(inv, { 0: { mig: [{ profile: '1g.10gb', start: 6, size: 1 }] } }));
    const req = request({ kind: 'mig', gpus: 0, mig: [{ profile: '2g.20gb', count: 1 }] });
    const a = placeOnNode(req, state, prefilter(req, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS))).allocation;
    expect(a?.devices.map((d) => [d.gpuIndex, d.mig?.start])).toEqual([[0, 4]]);
  });

  it('places three MIG instances of two profiles legally on one GPU', () => {
    const inv = node('m', { count: 1, links: uniformLinks(1, 'X'), sharing: { mode: 'mig', layout: 'dynamic' } });
    const state = makeNodeState(inv);
    const req = request({ kind: 'mig', gpus: 0, mig: [{ profile: '1g.10gb', count: 2 }, { profile: '4g.40gb', count: 1 }] });
    const a = placeOnNode(req, state, prefilter(req, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS))).allocation;
    expect(a?.devices.map((d) => `${d.mig?.profile}@${d.mig?.start}`).sort()).toEqual(['1g.10gb@5', '1g.10gb@6', '4g.40gb@0']);
  });
});
