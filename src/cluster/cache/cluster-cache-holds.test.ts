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

function setup(): { cache: ClusterCache; clock: { now: number } } {
  const clock = { now: 0 };
  const cache = new ClusterCache({
    nodeParser: createNodeParser(parsers.parseNode), parseAllocation: parsers.parseAllocation,
    now: () => clock.now, assumeTtlMs: 1000, log: SILENT_LOGGER,
  });
  cache.upsertNode(NODE);
  return { cache, clock };
}

const alloc = (gpus: number[]): Allocation => ({
  node: 'n-0', cpuMilli: 0, memoryMiB: 0,
  devices: gpus.map((i) => ({ gpuIndex: i, gpuUuid: `n-0-gpu${i}`, kind: 'whole' as const, memoryMiB: 81559, computeMilli: 1000 })),
});
const ref = (uid: string): { uid: string; namespace: string; name: string } => ({ uid, namespace: 'ns', name: uid });
const freeGpus = (cache: ClusterCache): number => cache.snapshot().nodes.get('n-0')?.freeWholeCount ?? -1;
const text = (cache: ClusterCache, gpus: number[]): string => formatAllocationAnnotation(alloc(gpus), cache.inventory('n-0') as never);
const bound = (cache: ClusterCache, uid: string, gpus: number[], labels: Record<string, string> = {}): PodObject => ({
  metadata: { uid, name: uid, namespace: 'ns', labels, annotations: { [ANNOTATION.allocation]: text(cache, gpus) } },
  spec: { nodeName: 'n-0', priority: 1 }, status: { phase: 'Running' },
});

describe('ClusterCache holds for preemptors', () => {
  it('keeps a victim\'s devices taken when it goes, for the preemptor only, until it binds', () => {
    const { cache } = setup();
    for (let i = 0; i < 8; i += 1) cache.upsertPod(bound(cache, `v${i}`, [i], { app: 'batch' }));
    expect(cache.pod('v0')?.labels).toEqual({ app: 'batch' });
    cache.holdOnRelease(ref('p'), 'n-0', ['v0', 'v1'], 60_000, 120_000);
    const before = cache.version;
    expect(cache.version).toBe(before);
    expect(cache.awaitedVictims('p')).toEqual({ node: 'n-0', victims: ['v0', 'v1'] });
    cache.deletePod('v0');
    // The GPU of v0 is not free for anyone but p.
    expect(freeGpus(cache)).toBe(0);
    expect(cache.holdsFor('p').map((h) => h.allocation.devices[0]?.gpuIndex)).toEqual([0]);
    expect(cache.assume(ref('third'), alloc([0]), text(cache, [0]), 0, null).code).toBe('unschedulable');
    cache.upsertPod({ ...bound(cache, 'v1', [1]), status: { phase: 'Succeeded' } });
    expect(cache.holdsFor('p')).toHaveLength(2);
    expect(cache.awaitedVictims('p')).toBeUndefined();
    // p binds on both held GPUs: the holds turn into its assumption in one step.
    expect(cache.assumeHeld(ref('p'), alloc([0, 1]), text(cache, [0, 1]), 10, null).code).toBe('success');
    expect(cache.holdsFor('p')).toEqual([]);
    expect(cache.hasHolds('p')).toBe(false);
    expect(cache.pod('p')?.phase).toBe('assumed');
    expect(freeGpus(cache)).toBe(0);
  });

  it('keeps the holds when the preemptor\'s bind does not fit, and frees them when it is deleted', () => {
    const { cache } = setup();
    for (let i = 0; i < 8; i += 1) cache.upsertPod(bound(cache, `v${i}`, [i]));
    cache.holdOnRelease(ref('p'), 'n-0', ['v0'], 60_000, 120_000);
    cache.deletePod('v0');
    expect(cache.assumeHeld(ref('p'), alloc([0, 1]), text(cache, [0, 1]), 10, null).code).toBe('unschedulable');
    expect(cache.holdsFor('p')).toHaveLength(1);
    expect(freeGpus(cache)).toBe(0);
    cache.deletePod('p');
    expect(freeGpus(cache)).toBe(1);
  });

  it('lets holds expire: a victim watch after watchMs, a held device after holdMs', () => {
    const { cache, clock } = setup();
    for (let i = 0; i < 3; i += 1) cache.upsertPod(bound(cache, `v${i}`, [i]));
    cache.holdOnRelease(ref('p'), 'n-0', ['v0', 'v1'], 5_000, 10_000);
    clock.now = 4_000;
    cache.deletePod('v0');
    expect(freeGpus(cache)).toBe(5);
    clock.now = 8_999;
    expect(freeGpus(cache)).toBe(5);
    clock.now = 9_000;
    // The held GPU is free again; v1 is still watched until 4,000 + 5,000 (its watch runs to 10,000).
    expect(freeGpus(cache)).toBe(6);
    clock.now = 10_001;
    cache.snapshot();
    expect(cache.awaitedVictims('p')).toBeUndefined();
    cache.deletePod('v1');
    expect(freeGpus(cache)).toBe(7);
  });

  it('drops a pod\'s holds once it is bound by anyone', () => {
    const { cache } = setup();
    expect(cache.holdDevices('g/1', ref('m1'), alloc([3]), 'group', 5_000).code).toBe('success');
    expect(cache.holdDevices('g/2', ref('m2'), alloc([3]), 'group', 5_000).code).toBe('unschedulable');
    expect(cache.holdsFor('m1')[0]?.deadline).toBe(5_000);
    expect(freeGpus(cache)).toBe(7);
    cache.upsertPod(bound(cache, 'm1', [4]));
    expect(cache.holdsFor('m1')).toEqual([]);
    expect(freeGpus(cache)).toBe(7);
  });

  it('counts counted pods per namespace and group', () => {
    const { cache } = setup();
    const member = (uid: string, gpu: number): PodObject => {
      const p = bound(cache, uid, [gpu]);
      return { ...p, metadata: { ...p.metadata, annotations: { ...p.metadata?.annotations, [ANNOTATION.group]: 'train' } } };
    };
    cache.upsertPod(member('a', 0));
    cache.upsertPod(member('b', 1));
    expect(cache.groupMemberCount('ns', 'train')).toBe(2);
    expect(cache.groupMemberCount('other', 'train')).toBe(0);
    cache.deletePod('a');
    expect(cache.groupMemberCount('ns', 'train')).toBe(1);
  });
});
