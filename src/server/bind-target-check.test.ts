import { describe, expect, it } from 'vitest';
import type { PodObject } from '../cluster/cache/cluster-source.js';
import { bindTargetMismatch } from './bind-target-check.js';

const ref = { namespace: 'ml', name: 'train-0', uid: 'uid-1' };
const pod = (over: { name?: string; namespace?: string; uid?: string; schedulerName?: string; nodeName?: string } = {}): PodObject => ({
  metadata: { name: over.name ?? 'train-0', namespace: over.namespace ?? 'ml', uid: over.uid ?? 'uid-1' },
  spec: { schedulerName: over.schedulerName ?? 'tessera-scheduler', ...(over.nodeName === undefined ? {} : { nodeName: over.nodeName }) },
});
const pending = (p: PodObject | undefined) => ({ pendingPod: (uid: string) => (p?.metadata?.uid === uid ? p : undefined) });
const fetching = (p: PodObject | null) => ({ getPod: async () => p });
const noLookup = {};

describe('bindTargetMismatch()', () => {
  it.each<[string, PodObject | undefined, PodObject | undefined, PodObject | null | 'no-get', RegExp | null]>([
    ['accepts the pending pod filter saw', pod(), pod(), 'no-get', null],
    ['accepts a pod fetched by name when the cache has not seen it yet', pod(), undefined, pod(), null],
    ['refuses a UID that filter saw under another name', pod({ name: 'other' }), pod(), 'no-get', /filter saw UID "uid-1" as pod "ml\/other"/],
    ['refuses a name the cluster gives another UID', undefined, undefined, pod({ uid: 'uid-2' }), /the cluster's pod "ml\/train-0" has UID "uid-2"/],
    ['refuses a UID that is another pod in the cluster', undefined, pod({ name: 'train-9' }), 'no-get', /UID "uid-1" is pod "ml\/train-9" in the cluster/],
    ['refuses a pod another scheduler owns', pod(), pod({ schedulerName: 'default-scheduler' }), 'no-get', /filter saw schedulerName "tessera-scheduler" but the cluster's pod has "default-scheduler"/],
    ['refuses a pod already bound', undefined, undefined, pod({ nodeName: 'h100-3' }), /already bound to node "h100-3"/],
    ['refuses a pod the cluster does not have', undefined, undefined, null, /the cluster has no pod "ml\/train-0"/],
  ])('%s', async (_name, filtered, inCache, fetched, want) => {
    const source = fetched === 'no-get' ? fetching(null) : fetching(fetched);
    const r = await bindTargetMismatch(ref, filtered, pending(inCache), source);
    if (want === null) expect(r).toBeNull();
    else expect(r).toMatch(want);
  });

  it('compares only what filter saw when the cluster cannot be asked (simulated cluster)', async () => {
    expect(await bindTargetMismatch(ref, pod(), pending(undefined), noLookup)).toBeNull();
    expect(await bindTargetMismatch(ref, pod({ namespace: 'x' }), pending(undefined), noLookup)).toMatch(/as pod "x\/train-0"/);
  });
});
