import { describe, expect, it } from 'vitest';
import { MAX_PENDING, PENDING_TTL_MS, PendingPods } from './pending-pods.js';

const ref = (name: string) => ({ namespace: 'ns', name, uid: `uid-${name}` });

describe('PendingPods', () => {
  it('lists reported pods, most recent first, counting repeats and keeping the first time', () => {
    const p = new PendingPods();
    p.report(ref('a'), '0/3 nodes are available: 3 too small', 1000);
    p.report(ref('b'), '0/3 nodes are available: 3 spot', 2000);
    p.report(ref('a'), '0/3 nodes are available: 2 too small, 1 spot', 3000);
    expect(p.list(3000).map((x) => [x.name, x.reports, x.firstReported, x.lastReported, x.message])).toEqual([
      ['a', 2, 1000, 3000, '0/3 nodes are available: 2 too small, 1 spot'],
      ['b', 1, 2000, 2000, '0/3 nodes are available: 3 spot'],
    ]);
  });

  it('drops a pod once it is bound, has finished or is deleted', () => {
    const p = new PendingPods();
    for (const n of ['bound', 'done', 'deleted', 'waiting']) p.report(ref(n), 'no', 0);
    p.upsertPod({ metadata: { uid: 'uid-bound', namespace: 'ns', name: 'bound' }, spec: { nodeName: 'n1' } });
    p.upsertPod({ metadata: { uid: 'uid-done', namespace: 'ns', name: 'done' }, status: { phase: 'Failed' } });
    p.upsertPod({ metadata: { uid: 'uid-waiting', namespace: 'ns', name: 'waiting' }, spec: { nodeName: '' }, status: { phase: 'Pending' } });
    p.deletePod('uid-deleted');
    expect(p.list(0).map((x) => x.name)).toEqual(['waiting']);
  });

  it('forgets a pod filter has not reported for the TTL', () => {
    const p = new PendingPods();
    p.report(ref('old'), 'no', 0);
    p.report(ref('new'), 'no', PENDING_TTL_MS);
    expect(p.list(PENDING_TTL_MS + 1).map((x) => x.name)).toEqual(['new']);
  });

  it('keeps at most MAX_PENDING pods', () => {
    const p = new PendingPods();
    for (let i = 0; i <= MAX_PENDING; i += 1) p.report(ref(`p${i}`), 'no', i);
    const list = p.list(MAX_PENDING);
    expect(list).toHaveLength(MAX_PENDING);
    expect(list.at(-1)?.name).toBe('p1');
  });
});
