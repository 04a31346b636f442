import { describe, expect, it } from 'vitest';
import type { Allocation } from '../../model/allocation.js';
import { formatAllocationAnnotation } from '../../model/allocation-annotation.js';
import { ANNOTATION } from '../../model/well-known-names.js';
import { createModelParsers } from '../../server/model-parsers.js';
import { fleetNodes, FleetSchema } from '../../sim/simulated-cluster-fleet.js';
import { SILENT_LOGGER } from '../../telemetry/logger.js';
import { ClusterCache } from './cluster-cache.js';
import type { NodeObject, PodObject } from './cluster-source.js';
import { createNodeParser } from './node-parser.js';

const parsers = createModelParsers();
const NODE = fleetNodes(FleetSchema.parse({
  apiVersion: 'tessera.io/v1alpha1', kind: 'SimulatedFleet',
  pools: [{ name: 'n', count: 1, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 8, topologyPreset: 'hgx-h100-8x-sxm', sharing: 'exclusive' }],
}))[0] as NodeObject;

function setup(): { cache: ClusterCache; clock: { now: number }; expired: string[] } {
  const clock = { now: 0 };
  const expired: string[] = [];
  const cache = new ClusterCache({
    nodeParser: createNodeParser(parsers.parseNode), parseAllocation: parsers.parseAllocation,
    now: () => clock.now, assumeTtlMs: 1000, log: SILENT_LOGGER, onExpired: (p) => expired.push(p.uid),
  });
  cache.upsertNode(NODE);
  return { cache, clock, expired };
}

function alloc(gpus: number[]): Allocation {
  return {
    node: 'n-0', cpuMilli: 0, memoryMiB: 0,
    devices: gpus.map((i) => ({ gpuIndex: i, gpuUuid: `n-0-gpu${i}`, kind: 'whole' as const, memoryMiB: 81559, computeMilli: 1000 })),
  };
}

const ref = (uid: string): { uid: string; namespace: string; name: string } => ({ uid, namespace: 'ns', name: uid });
const freeGpus = (cache: ClusterCache): number => cache.snapshot().nodes.get('n-0')?.freeWholeCount ?? -1;
const annotation = (cache: ClusterCache, gpus: number[]): string => formatAllocationAnnotation(alloc(gpus), cache.inventory('n-0') as never);
const boundPod = (uid: string, text: string | null, phase = 'Running'): PodObject => ({
  metadata: { uid, name: uid, namespace: 'ns', annotations: text === null ? {} : { [ANNOTATION.allocation]: text } },
  spec: { nodeName: 'n-0', priority: 3 }, status: { phase },
});

describe('ClusterCache host resources of pods it did not place', () => {
  it('takes the CPU and memory requests of a pod bound without an allocation (kube-scheduler placed it alone), not its GPUs', () => {
    const { cache } = setup();
    const cpuBefore = cache.snapshot().nodes.get('n-0')?.cpuFreeMilli ?? NaN;
    const pod: PodObject = {
      metadata: { uid: 'cpu-only', name: 'cpu-only', namespace: 'ns' },
      spec: { nodeName: 'n-0', containers: [{ name: 'c', resources: { requests: { cpu: '3', memory: '2Gi' } } }] },
      status: { phase: 'Running' },
    };
    cache.upsertPod(pod);
    const state = cache.snapshot().nodes.get('n-0');
    expect(state?.cpuFreeMilli).toBe(cpuBefore - 3000);
    expect(state?.freeWholeCount).toBe(8);
    expect(cache.pod('cpu-only')?.allocation).toEqual({ node: 'n-0', devices: [], cpuMilli: 3000, memoryMiB: 2048 });
    cache.deletePod('cpu-only');
    expect(cache.snapshot().nodes.get('n-0')?.cpuFreeMilli).toBe(cpuBefore);
    // A pod that asks for nothing holds nothing.
    cache.upsertPod({ ...pod, metadata: { uid: 'idle', name: 'idle', namespace: 'ns' }, spec: { nodeName: 'n-0', containers: [{ name: 'c' }] } });
    expect(cache.pod('idle')).toBeUndefined();
  });
});

describe('ClusterCache assume lifecycle', () => {
  it('holds assumed devices in every snapshot and refuses a second hold of the same GPU', () => {
    const { cache } = setup();
    expect(cache.assume(ref('a'), alloc([0, 1]), annotation(cache, [0, 1]), 0, null).code).toBe('success');
    expect(freeGpus(cache)).toBe(6);
    expect(cache.assume(ref('b'), alloc([1]), annotation(cache, [1]), 0, null).code).not.toBe('success');
    expect(freeGpus(cache)).toBe(6);
    expect(cache.stats().assumedPods).toBe(1);
  });

  it('Assumed -> Bound when the source reports the pod bound with the same annotation', () => {
    const { cache, clock } = setup();
    const text = annotation(cache, [2]);
    cache.assume(ref('a'), alloc([2]), text, 0, null);
    cache.finishBinding('a');
    cache.upsertPod(boundPod('a', text));
    expect(cache.pod('a')?.phase).toBe('bound');
    clock.now = 10_000;
    expect(cache.expire()).toBe(0);
    expect(freeGpus(cache)).toBe(7);
  });

  it('Assumed -> Expired after the TTL when the bind is never confirmed', () => {
    const { cache, clock, expired } = setup();
    cache.assume(ref('a'), alloc([3]), annotation(cache, [3]), 0, null);
    clock.now = 5_000;
    expect(cache.expire()).toBe(0); // still in flight: the TTL starts when the bind returns
    cache.finishBinding('a');
    clock.now = 5_999;
    expect(cache.expire()).toBe(0);
    clock.now = 6_000;
    expect(freeGpus(cache)).toBe(8); // snapshot() expires too
    expect(expired).toEqual(['a']);
  });

  it('forget() drops an assumption and frees its devices, but never a bound pod', () => {
    const { cache } = setup();
    const text = annotation(cache, [4]);
    cache.assume(ref('a'), alloc([4]), text, 0, null);
    cache.forget('a');
    expect(cache.pod('a')).toBeUndefined();
    cache.upsertPod(boundPod('b', annotation(cache, [5])));
    cache.forget('b');
    expect(cache.pod('b')?.phase).toBe('bound');
  });

  it.each([
    ['deleted', (c: ClusterCache) => c.deletePod('b')],
    ['Succeeded', (c: ClusterCache) => c.upsertPod(boundPod('b', annotation(c, [5]), 'Succeeded'))],
    ['Failed', (c: ClusterCache) => c.upsertPod(boundPod('b', annotation(c, [5]), 'Failed'))],
  ])('Bound -> Released when the pod is %s', (_how, release) => {
    const { cache } = setup();
    cache.upsertPod(boundPod('b', annotation(cache, [5])));
    expect(freeGpus(cache)).toBe(7);
    const before = cache.version;
    release(cache);
    expect(freeGpus(cache)).toBe(8);
    expect(cache.pod('b')).toBeUndefined();
    expect(cache.version).toBeGreaterThan(before);
  });
});

describe('ClusterCache state from the source', () => {
  it('counts a bound pod seen before its node once the node arrives (restart order does not matter)', () => {
    const clock = { now: 0 };
    const cache = new ClusterCache({
      nodeParser: createNodeParser(parsers.parseNode), parseAllocation: parsers.parseAllocation,
      now: () => clock.now, assumeTtlMs: 1000, log: SILENT_LOGGER,
    });
    const other = setup().cache;
    cache.upsertPod(boundPod('early', annotation(other, [0, 1, 2])));
    expect(cache.pod('early')?.counted).toBe(false);
    cache.upsertNode(NODE);
    expect(cache.pod('early')?.counted).toBe(true);
    expect(freeGpus(cache)).toBe(5);
  });

  it('keeps counting pods when the node changes, and re-reads them against the new inventory', () => {
    const { cache } = setup();
    cache.upsertPod(boundPod('b', annotation(cache, [6])));
    const changed = { ...NODE, metadata: { ...NODE.metadata, resourceVersion: '2', labels: { ...NODE.metadata?.labels, extra: 'x' } } };
    cache.upsertNode(changed);
    expect(freeGpus(cache)).toBe(7);
  });

  it('does not count an unreadable allocation annotation, and says so', () => {
    const { cache } = setup();
    cache.upsertPod(boundPod('bad', '{"not":"an allocation"}'));
    expect(cache.pod('bad')?.counted).toBe(false);
    expect(freeGpus(cache)).toBe(8);
  });

  it('leaves a node whose inventory cannot be read out of scheduling, with the reason', () => {
    const { cache } = setup();
    cache.upsertNode({ metadata: { name: 'broken', resourceVersion: '1', labels: { 'nvidia.com/gpu.count': 'many' } } });
    expect(cache.snapshot().nodes.has('broken')).toBe(false);
    expect(cache.invalidReason('broken')).toMatch(/nvidia\.com\/gpu\.count/);
  });

  it('returns the same snapshot object until something changes', () => {
    const { cache } = setup();
    const a = cache.snapshot();
    expect(cache.snapshot()).toBe(a);
    cache.upsertPod(boundPod('b', annotation(cache, [0])));
    expect(cache.snapshot()).not.toBe(a);
  });
});

describe('ClusterCache snapshots', () => {
  it('publish node changes through many versions without touching older snapshots', () => {
    const { cache } = setup();
    const first = cache.snapshot();
    const seen: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      const uid = `p${i}`;
      cache.upsertPod(boundPod(uid, annotation(cache, [i % 8])));
      seen.push(cache.snapshot().nodes.get('n-0')?.freeWholeCount ?? -1);
      cache.deletePod(uid);
    }
    expect(seen.every((n) => n === 7)).toBe(true);
    expect(first.nodes.get('n-0')?.freeWholeCount).toBe(8);
    expect(cache.snapshot().nodes.size).toBe(1);
    cache.deleteNode('n-0');
    expect(cache.snapshot().nodes.has('n-0')).toBe(false);
    expect(first.nodes.has('n-0')).toBe(true);
  });

  it('lists where each job group runs, and forgets a node that left', () => {
    const { cache } = setup();
    const pod = boundPod('g1', annotation(cache, [0]));
    cache.upsertPod({ ...pod, metadata: { ...pod.metadata, annotations: { ...pod.metadata?.annotations, [ANNOTATION.group]: 'job-7' } } });
    expect(cache.snapshot().groupNodes.get('job-7')).toEqual(['n-0']);
    cache.deleteNode('n-0');
    expect(cache.snapshot().groupNodes.has('job-7')).toBe(false);
    cache.upsertNode(NODE);
    expect(cache.snapshot().groupNodes.get('job-7')).toEqual(['n-0']);
  });
});

describe('ClusterCache snapshot compaction', () => {
  it('keeps every node right after folding more than 128 changed nodes into a new base', () => {
    const nodes = fleetNodes(FleetSchema.parse({
      apiVersion: 'tessera.io/v1alpha1', kind: 'SimulatedFleet',
      pools: [{ name: 'm', count: 300, gpuProduct: 'NVIDIA-L4', gpuCount: 1, sharing: 'exclusive' }],
    }));
    const cache = new ClusterCache({
      nodeParser: createNodeParser(parsers.parseNode), parseAllocation: parsers.parseAllocation,
      now: () => 0, assumeTtlMs: 1000, log: SILENT_LOGGER,
    });
    for (const node of nodes) cache.upsertNode(node);
    const empty = cache.snapshot();
    for (let i = 0; i < 300; i += 1) {
      const name = `m-${i}`;
      const a: Allocation = { node: name, cpuMilli: 0, memoryMiB: 0, devices: [{ gpuIndex: 0, gpuUuid: `${name}-gpu0`, kind: 'whole', memoryMiB: 23034, computeMilli: 1000 }] };
      expect(cache.assume({ uid: `u${i}`, namespace: 'ns', name: `u${i}` }, a, 'x', 0, null).code).toBe('success');
      expect(cache.snapshot().nodes.get(name)?.freeWholeCount).toBe(0);
    }
    const full = cache.snapshot();
    expect(full.nodes.size).toBe(300);
    expect([...full.nodes.values()].every((s) => s.freeWholeCount === 0)).toBe(true);
    expect([...empty.nodes.values()].every((s) => s.freeWholeCount === 1)).toBe(true);
  });

  it('keeps every older snapshot reading what it read when taken, across compactions, quiet folds and repeated changes', () => {
    const nodes = fleetNodes(FleetSchema.parse({
      apiVersion: 'tessera.io/v1alpha1', kind: 'SimulatedFleet',
      pools: [{ name: 'm', count: 200, gpuProduct: 'NVIDIA-L4', gpuCount: 1, sharing: 'exclusive' }],
    }));
    const cache = new ClusterCache({
      nodeParser: createNodeParser(parsers.parseNode), parseAllocation: parsers.parseAllocation,
      now: () => 0, assumeTtlMs: 1000, log: SILENT_LOGGER,
    });
    for (const node of nodes) cache.upsertNode(node);
    const taken: { snap: ReturnType<ClusterCache['snapshot']>; free: number[] }[] = [];
    const record = (): void => {
      const snap = cache.snapshot();
      taken.push({ snap, free: nodes.map((_, i) => snap.nodes.get(`m-${i}`)?.freeWholeCount ?? -1) });
    };
    for (let i = 0; i < 400; i += 1) {
      const name = `m-${(i * 7) % 200}`;
      const uid = `u${i}`;
      const a: Allocation = { node: name, cpuMilli: 0, memoryMiB: 0, devices: [{ gpuIndex: 0, gpuUuid: `${name}-gpu0`, kind: 'whole', memoryMiB: 23034, computeMilli: 1000 }] };
      if (cache.assume({ uid, namespace: 'ns', name: uid }, a, 'x', 0, null).code === 'success') {
        record();
        if (i % 3 === 0) cache.forget(uid);
      }
      // Every tenth step the cluster is read quietly often enough to fold the overlay into a plain base.
      if (i % 10 === 0) for (let r = 0; r < 10; r += 1) cache.snapshot();
      record();
    }
    for (const { snap, free } of taken) {
      expect(nodes.map((_, i) => snap.nodes.get(`m-${i}`)?.freeWholeCount ?? -1)).toEqual(free);
      expect(new Map([...snap.nodes].map(([k, s]) => [k, s.freeWholeCount]))).toEqual(new Map(free.map((f, i) => [`m-${i}`, f])));
    }
    expect(new Set(taken.map((t) => t.free.join())).size).toBeGreaterThan(50);
  });
});

describe('ClusterCache GPU capacity', () => {
  it('keeps GPUs per product in every snapshot, and the same object while the products do not change', () => {
    const { cache } = setup();
    const first = cache.snapshot().gpuCapacity;
    expect([...(first ?? new Map()).values()]).toEqual([8]);
    const labelled = { ...NODE, metadata: { ...NODE.metadata, labels: { ...NODE.metadata?.labels, team: 'x' } } } as NodeObject;
    cache.upsertNode(labelled);
    expect(cache.snapshot().gpuCapacity).toBe(first);
    cache.deleteNode('n-0');
    expect(cache.snapshot().gpuCapacity?.size).toBe(0);
  });
});
