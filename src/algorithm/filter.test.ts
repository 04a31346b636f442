import { describe, expect, it } from 'vitest';
import type { GpuRequest } from '../model/gpu-request.js';
import type { NodeInventory } from '../model/node-inventory.js';
import type { NodeUsage } from '../model/allocation.js';
import { prefilter } from './cycle-state.js';
import { EvaluationMemo } from './evaluation-memo.js';
import { filterNode } from './filter.js';
import { makeNodeState } from './node-state.js';
import { DEFAULT_SCHEDULING_OPTIONS } from './scheduling-options.js';
import { makeSnapshot } from './snapshot.js';
import { gpu, node, request, uniformLinks, usage } from './test-fixtures.js';

const tainted = node('t', {
  gpus: [gpu(0, { taints: [{ key: 'unhealthy', value: 'true', effect: 'NoSchedule' }] }), gpu(1, { taints: [{ key: 'team', value: 'ml', effect: 'NoSchedule' }] })],
  links: uniformLinks(2, 'NV18'),
});

interface Row {
  readonly name: string;
  readonly inv: NodeInventory;
  readonly held?: (inv: NodeInventory) => NodeUsage;
  readonly req: GpuRequest;
  readonly code: 'success' | 'unschedulable' | 'unresolvable';
  readonly reason?: string;
}

const rows: Row[] = [
  { name: 'keeps a non-interruptible pod off a spot node', inv: node('s', { capacityType: 'spot' }), req: request(), code: 'unresolvable', reason: 'node is spot and the pod is not interruptible' },
  { name: 'lets an interruptible pod onto a spot node', inv: node('s', { capacityType: 'spot' }), req: request({ interruptible: true }), code: 'success' },
  { name: 'rejects a GPU model the pod does not allow', inv: node('a', { product: 'A100-80GB' }), req: request({ models: ['H100'] }), code: 'unresolvable', reason: 'GPU model not allowed: pod allows H100, node has A100-80GB' },
  { name: 'accepts a model family prefix', inv: node('h'), req: request({ models: ['H100'] }), code: 'success' },
  { name: 'hides GPUs whose taints the pod does not tolerate', inv: tainted, req: request(), code: 'unresolvable', reason: 'team=ml:NoSchedule, unhealthy=true:NoSchedule' },
  { name: 'lets a tolerating pod use a tainted GPU', inv: tainted, req: request({ tolerations: [{ key: 'team', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }] }), code: 'success' },
  {
    name: 'counts only tolerated GPUs for a 2-GPU pod', inv: tainted, req: request({ gpus: 2, tolerations: [{ key: 'team', operator: 'Exists' }] }),
    code: 'unresolvable', reason: 'need 2 whole GPUs: node has 1',
  },
  {
    name: 'rejects host CPU beyond the allocatable as unresolvable', inv: node('c', { cpuMilli: 8000, memoryMiB: 65536 }), req: request({ cpuMilli: 16000 }),
    code: 'unresolvable', reason: 'need 16000 CPU milli: node has 8000 allocatable',
  },
  {
    name: 'rejects host CPU beyond what is free as unschedulable', inv: node('c', { cpuMilli: 8000, memoryMiB: 65536 }),
    held: (inv) => usage(inv, {}, { cpuMilli: 6000 }), req: request({ cpuMilli: 4000 }), code: 'unschedulable', reason: 'need 4000 CPU milli free: node has 2000 free',
  },
  { name: 'ignores host CPU when the node does not account it', inv: node('c'), req: request({ cpuMilli: 999_000 }), code: 'success' },
  {
    name: 'rejects host memory beyond what is free', inv: node('c', { cpuMilli: 8000, memoryMiB: 1024 }), req: request({ hostMemoryMiB: 2048 }),
    code: 'unresolvable', reason: 'need 2048 MiB host memory: node has 1024 allocatable',
  },
  {
    name: 'rejects a whole GPU when every GPU holds a share', inv: node('f', { count: 2, links: uniformLinks(2, 'NV18') }),
    held: (inv) => usage(inv, { 0: { memoryMiB: 1, computeMilli: 1 }, 1: { memoryMiB: 1, computeMilli: 1 } }), req: request(), code: 'unschedulable', reason: 'need 1 free whole GPU: 0 free',
  },
  { name: 'rejects a share on an exclusive GPU as unresolvable', inv: node('e', { sharing: { mode: 'exclusive' } }), req: request({ kind: 'share', memoryMiB: 1024, computeMilli: 100 }), code: 'unresolvable', reason: 'node has none (GPUs are exclusive)' },
  { name: 'takes a whole exclusive GPU', inv: node('e', { sharing: { mode: 'exclusive' } }), req: request(), code: 'success' },
  { name: 'rejects a replica on a fractional node as unresolvable', inv: node('f'), req: request({ kind: 'replica' }), code: 'unresolvable', reason: 'need 1 time-sliced GPU' },
  {
    name: 'rejects a replica when every replica is taken', inv: node('t', { count: 1, links: uniformLinks(1, 'X'), sharing: { mode: 'time-sliced', replicas: 2 } }),
    held: (inv) => usage(inv, { 0: { replicas: 2 } }), req: request({ kind: 'replica' }), code: 'unschedulable', reason: 'need 1 free time-sliced GPU with a free replica: 0 free',
  },
  { name: 'accepts a pod with no GPU need on any node', inv: node('n'), req: request({ kind: 'none', gpus: 0 }), code: 'success' },
  { name: 'rejects a MIG profile the product does not offer', inv: node('m', { sharing: { mode: 'mig', layout: 'dynamic' } }), req: request({ kind: 'mig', gpus: 0, mig: [{ profile: '3g.20gb', count: 1 }] }), code: 'unresolvable', reason: 'need MIG profile "3g.20gb"' },
];

describe('filterNode', () => {
  it.each(rows)('filterNode $name', (row) => {
    const state = makeNodeState(row.inv, row.held?.(row.inv));
    const status = filterNode(row.req, state, prefilter(row.req, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS)));
    expect(status.code).toBe(row.code);
    if (row.reason !== undefined) expect(status.code === 'success' ? '' : status.reason).toContain(row.reason);
  });
});
