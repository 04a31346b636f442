import { describe, expect, it } from 'vitest';
import { FleetHistory } from './fleet-history.js';

const sample = (t: number) => ({ t, gpus: 8, allocated: t / 10, idle: 8 - t / 10, stranded: 0 });

describe('FleetHistory', () => {
  it('keeps the last `capacity` samples, oldest first', () => {
    const h = new FleetHistory(3);
    for (const t of [10, 20, 30, 40]) h.add(sample(t));
    expect(h.since(0).map((s) => s.t)).toEqual([20, 30, 40]);
    expect(h.since(30).map((s) => s.t)).toEqual([30, 40]);
    expect(h.last()?.t).toBe(40);
  });

  it('replaces the last sample when time has not moved on', () => {
    const h = new FleetHistory(3);
    h.add(sample(10));
    h.add({ ...sample(10), allocated: 5 });
    expect(h.since(0)).toEqual([{ ...sample(10), allocated: 5 }]);
  });
});
