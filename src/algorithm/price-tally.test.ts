import { describe, expect, it } from 'vitest';
import { GpuCapacityTally, PriceTally } from './price-tally.js';

describe('PriceTally', () => {
  it('tracks the range as prices come and go, counting duplicates', () => {
    const t = new PriceTally();
    expect(t.range()).toBeNull();
    t.add(2); t.add(5); t.add(5); t.add(null);
    expect(t.range()).toEqual({ min: 2, max: 5 });
    t.remove(5);
    expect(t.range()).toEqual({ min: 2, max: 5 });
    t.remove(5);
    expect(t.range()).toEqual({ min: 2, max: 2 });
    t.remove(2);
    expect(t.range()).toBeNull();
  });
});

describe('GpuCapacityTally', () => {
  it('counts GPUs per product as nodes come and go, one capacity object per change', () => {
    const t = new GpuCapacityTally();
    t.add(['T4', 'T4']);
    t.add(['G2', 'G2', 'G2', 'G2']);
    const first = t.capacity();
    expect(first).toEqual(new Map([['T4', 2], ['G2', 4]]));
    expect(t.capacity()).toBe(first);
    t.remove(['T4', 'T4']);
    expect(t.capacity()).not.toBe(first);
    expect(t.capacity()).toEqual(new Map([['G2', 4]]));
    t.add([]);
    expect(t.capacity()).toBe(t.capacity());
  });
});
