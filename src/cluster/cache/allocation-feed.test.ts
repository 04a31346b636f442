import { describe, expect, it } from 'vitest';
import type { Allocation } from '../../model/allocation.js';
import { formatAllocationAnnotation } from '../../model/allocation-annotation.js';
import { ANNOTATION } from '../../model/well-known-names.js';
import { createModelParsers } from '../../server/model-parsers.js';
import { fleetNodes, FleetSchema } from '../../sim/simulated-cluster-fleet.js';
import { SILENT_LOGGER } from '../../telemetry/logger.js';
import { AllocationFeed, type AllocationChange } from './allocation-feed.js';
import { ClusterCache } from './cluster-cache.js';
import type { NodeObject } from './cluster-source.js';
import { createNodeParser } from './node-parser.js';

const change = (version: number, uid = `p${version}`): AllocationChange => ({
  version, kind: 'assumed', pod: { uid, namespace: 'ns', name: uid }, node: 'n-0', allocation: null,
});

describe('AllocationFeed', () => {
  it('answers the changes after a version, oldest first', () => {
    const feed = new AllocationFeed(10);
    for (const v of [3, 5, 8]) feed.record(change(v));
    expect(feed.since(0)?.map((c) => c.version)).toEqual([3, 5, 8]);
    expect(feed.since(4)?.map((c) => c.version)).toEqual([5, 8]);
    expect(feed.since(8)).toEqual([]);
  });

  it('keeps the last `capacity` changes: a reader further behind gets null (it must list again)', () => {
    const feed = new AllocationFeed(3);
    for (let v = 1; v <= 5; v += 1) feed.record(change(v));
    expect(feed.since(1)).toBeNull();
    expect(feed.since(2)?.map((c) => c.version)).toEqual([3, 4, 5]);
    // Many more than the capacity: the kept window moves on and stays exact.
    for (let v = 6; v <= 40; v += 1) feed.record(change(v));
    expect(feed.since(36)).toBeNull();
    expect(feed.since(37)?.map((c) => c.version)).toEqual([38, 39, 40]);
  });

  it('wakes each listener once per burst of changes, after the recording code has run, until unsubscribed', async () => {
    const feed = new AllocationFeed();
    const seen: number[][] = [];
    const stop = feed.subscribe(() => seen.push((feed.since(0) ?? []).map((c) => c.version)));
    feed.record(change(1));
    feed.record(change(2));
    expect(seen).toEqual([]);
    await Promise.resolve();
    expect(seen).toEqual([[1, 2]]);
    stop();
    feed.record(change(3));
    await Promise.resolve();
    expect(seen).toEqual([[1, 2]]);
    expect(feed.watchers).toBe(0);
  });

  it('has an incarnation of its own', () => {
    expect(new AllocationFeed().incarnation).not.toBe(new AllocationFeed().incarnation);
  });
});

describe('ClusterCache tells its allocation changes', () => {
  const parsers = createModelParsers();
  const node = fleetNodes(FleetSchema.parse({
    apiVersion: 'tessera.io/v1alpha1', kind: 'SimulatedFleet',
    pools: [{ name: 'n', count: 1, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 8, topologyPreset: 'hgx-h100-8x-sxm', sharing: 'exclusive' }],
  }))[0] as NodeObject;
  const alloc = (gpus: number[]): Allocation => ({
    node: 'n-0', cpuMilli: 0, memoryMiB: 0,
    devices: gpus.map((i) => ({ gpuIndex: i, gpuUuid: `n-0-gpu${i}`, kind: 'whole' as const, memoryMiB: 81559, computeMilli: 1000 })),
  });
  const setup = (): { cache: ClusterCache; feed: AllocationFeed; clock: { now: number } } => {
    const feed = new AllocationFeed();
    const clock = { now: 0 };
    const cache = new ClusterCache({
      nodeParser: createNodeParser(parsers.parseNode), parseAllocation: parsers.parseAllocation, now: () => clock.now,
      assumeTtlMs: 1000, log: SILENT_LOGGER, onAllocationChange: (c) => feed.record(c),
    });
    cache.upsertNode(node);
    return { cache, feed, clock };
  };
  const kinds = (feed: AllocationFeed): string[] => (feed.since(0) ?? []).map((c) => `${c.kind} ${c.pod.uid}`);

  it('assumed, bound when the source confirms, released when the pod is deleted: each at the version it made', () => {
    const { cache, feed } = setup();
    const text = formatAllocationAnnotation(alloc([0, 1]), cache.inventory('n-0') as never);
    cache.assume({ uid: 'a', namespace: 'ns', name: 'a' }, alloc([0, 1]), text, 0, null);
    const afterAssume = cache.version;
    cache.finishBinding('a');
    cache.upsertPod({ metadata: { uid: 'a', name: 'a', namespace: 'ns', annotations: { [ANNOTATION.allocation]: text } }, spec: { nodeName: 'n-0' }, status: { phase: 'Running' } });
    cache.deletePod('a');
    expect(kinds(feed)).toEqual(['assumed a', 'bound a', 'released a']);
    const changes = feed.since(0) ?? [];
    expect(changes[0]?.version).toBe(afterAssume);
    expect(changes[2]?.version).toBe(cache.version);
    expect(changes.map((c) => c.version)).toEqual([...changes.map((c) => c.version)].sort((x, y) => x - y));
    expect(changes[0]?.allocation?.devices.map((d) => d.gpuIndex)).toEqual([0, 1]);
    expect(changes[2]?.allocation?.devices.map((d) => d.gpuIndex)).toEqual([0, 1]);
  });

  it('a failed bind (forget) and an expired assumption are releases; a pod seen bound is bound', () => {
    const { cache, feed, clock } = setup();
    const inv = cache.inventory('n-0') as never;
    cache.assume({ uid: 'f', namespace: 'ns', name: 'f' }, alloc([0]), formatAllocationAnnotation(alloc([0]), inv), 0, null);
    cache.forget('f');
    cache.assume({ uid: 'e', namespace: 'ns', name: 'e' }, alloc([1]), formatAllocationAnnotation(alloc([1]), inv), 0, null);
    cache.finishBinding('e');
    clock.now = 5000;
    cache.expire();
    cache.upsertPod({ metadata: { uid: 's', name: 's', namespace: 'ns', annotations: { [ANNOTATION.allocation]: formatAllocationAnnotation(alloc([2]), inv) } }, spec: { nodeName: 'n-0' }, status: { phase: 'Running' } });
    expect(kinds(feed)).toEqual(['assumed f', 'released f', 'assumed e', 'released e', 'bound s']);
  });
});
