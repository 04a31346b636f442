import { describe, expect, it } from 'vitest';
import { PriceTally } from './price-tally.js';

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
