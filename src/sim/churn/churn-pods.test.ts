import { describe, expect, it } from 'vitest';
import { seededRng } from '../replay/seeded-rng.js';
import { churnArrivals, parseTimedPodList, queuePriority } from './churn-pods.js';

const CSV = `name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
early,1000,100,1,1000,,LS,Running,0,2000,0
a,1000,100,1,500,,BE,Failed,1000,1600,1100
pending,1000,100,1,1000,,LS,Pending,1300,1400,
b,2000,100,2,1000,,Burstable,Succeeded,1500,2500,1500
c,0,100,0,0,,LS,Running,1900,3000,1900
`;

describe('churn arrivals', () => {
  const list = parseTimedPodList(CSV);

  it('parseTimedPodList() reads the time columns row for row beside the pods (empty scheduled_time is NaN)', () => {
    expect(list.pods.map((p) => p.name)).toEqual(['early', 'a', 'pending', 'b', 'c']);
    expect(list.times[1]).toEqual({ creation: 1000, scheduled: 1100, deletion: 1600, qos: 'BE' });
    expect(Number.isNaN(list.times[2]!.scheduled)).toBe(true);
  });

  it('parseTimedPodList() names a missing time column', () => {
    expect(() => parseTimedPodList('name,cpu_milli,memory_mib,num_gpu,gpu_milli,creation_time\nx,1,1,0,0,0\n')).toThrow(/column "scheduled_time" is missing/);
  });

  it('leaves out rows that never ran, starts at the first deletion, keeps run times and divides arrivals by the rate', () => {
    const r = churnArrivals(list, 2, { next: () => 0.5, intn: () => 0 });
    expect(r.skippedNeverScheduled).toBe(1);
    expect(r.windowStart).toBe(1400);
    // Arrivals relative to 1,400 (earlier creations arrive at 0), no jitter at u = 0.5, halved.
    expect(r.pods.map((p) => [p.pod.name, p.arrival, p.runSeconds])).toEqual([
      ['early', 0, 600], ['a', 0, 200], ['b', 50, 1000], ['c', 250, 1100],
    ]);
    expect(r.pods.map((p) => p.id)).toEqual([0, 1, 2, 3]);
  });

  it('marks best-effort pods interruptible, multi-GPU pods nvlink-preferred, and takes priority from qos', () => {
    const r = churnArrivals(list, 1, seededRng(1));
    const by = new Map(r.pods.map((p) => [p.pod.name, p]));
    expect(by.get('a')!.pod.interruptible).toBe(true);
    expect(by.get('b')!.pod.interruptible).toBe(false);
    expect(by.get('b')!.pod.topology).toBe('nvlink-preferred');
    expect(by.get('a')!.pod.topology).toBe('any');
    expect([by.get('a')!.priority, by.get('b')!.priority]).toEqual([0, 1]);
    expect(churnArrivals(list, 1, seededRng(1), 'none').pods.every((p) => p.priority === 0)).toBe(true);
    expect([queuePriority('BE', 'qos'), queuePriority('LS', 'qos'), queuePriority('LS', 'none')]).toEqual([0, 1, 0]);
  });

  it('jitters each arrival within ± half the mean gap, differently per seed, and keeps them sorted', () => {
    const gap = churnArrivals(list, 1, seededRng(1)).meanGapSeconds;
    expect(gap).toBeCloseTo(500 / 3, 9);
    for (const seed of [1, 2, 3]) {
      const r = churnArrivals(list, 1, seededRng(seed));
      const exact = new Map([['early', 0], ['a', 0], ['b', 100], ['c', 500]]);
      for (const p of r.pods) expect(Math.abs(p.arrival - exact.get(p.pod.name)!)).toBeLessThanOrEqual(gap / 2);
      expect(r.pods.map((p) => p.arrival)).toEqual([...r.pods.map((p) => p.arrival)].sort((x, y) => x - y));
    }
    expect(churnArrivals(list, 1, seededRng(1)).pods.map((p) => p.arrival)).not.toEqual(churnArrivals(list, 1, seededRng(2)).pods.map((p) => p.arrival));
  });
});
