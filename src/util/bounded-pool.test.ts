import { describe, expect, it } from 'vitest';
import { boundedPool } from './bounded-pool.js';

describe('boundedPool()', () => {
  it('runs every item with at most `limit` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    await boundedPool([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      done.push(x);
      inFlight -= 1;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });

  it('rejects with the first failure once the items in flight settled', async () => {
    const started: number[] = [];
    await expect(boundedPool([1, 2, 3, 4], 2, async (x) => {
      started.push(x);
      if (x === 1) throw new Error('one failed');
      await new Promise((resolve) => setTimeout(resolve, 1));
    })).rejects.toThrow('one failed');
    expect(started).not.toContain(4);
  });
});
