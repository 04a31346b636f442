import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICE_TABLE, EMPTY_PRICE_TABLE, lookupPrice, parsePriceTable } from './price-table.js';

describe('parsePriceTable', () => {
  it('reads currency and per-capacity prices, accepting decimal strings', () => {
    const r = parsePriceTable({ currency: 'EUR', prices: { 'g6.xlarge': { 'on-demand': 0.8, spot: '0.3' }, 'x1': { spot: 1 } } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.currency).toBe('EUR');
    expect(r.value.illustrative).toBe(false);
    expect(lookupPrice(r.value, 'g6.xlarge', 'on-demand')).toBe(0.8);
    expect(lookupPrice(r.value, 'g6.xlarge', 'spot')).toBe(0.3);
    expect(lookupPrice(r.value, 'x1', 'on-demand')).toBeNull();
    expect(lookupPrice(r.value, 'unknown', 'spot')).toBeNull();
    expect(lookupPrice(r.value, null, 'spot')).toBeNull();
  });

  it.each([
    ['a table that is not an object', [], 'priceTable', 'expected an object with "prices", got an array'],
    ['a missing prices field', { currency: 'USD' }, 'priceTable.prices', 'expected an object keyed by instance type, got undefined'],
    ['an unknown top-level field', { prices: {}, region: 'x' }, 'priceTable.region', 'unknown price table field "region"'],
    ['a bad currency', { currency: 'dollars', prices: {} }, 'priceTable.currency', 'expected a 3-letter code'],
    ['an entry that is a number', { prices: { a: 3 } }, 'priceTable.prices["a"]', 'expected {"on-demand": <price>, "spot": <price>}, got number 3'],
    ['an unknown capacity type', { prices: { a: { reserved: 1 } } }, 'priceTable.prices["a"].reserved', 'unknown capacity type "reserved"'],
    ['a negative price', { prices: { a: { spot: -1 } } }, 'priceTable.prices["a"].spot', 'expected a non-negative decimal'],
    ['a price per month by mistake', { prices: { a: { 'on-demand': 24000 } } }, 'priceTable.prices["a"].on-demand', 'exceeds 10000'],
    ['a price that is text', { prices: { a: { spot: 'cheap' } } }, 'priceTable.prices["a"].spot', 'got string "cheap"'],
  ])('reports %s', (_name, input, path, message) => {
    const r = parsePriceTable(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const hit = r.errors.find((e) => e.path === path);
      expect(hit, JSON.stringify(r.errors)).toBeDefined();
      expect(hit?.message).toContain(message);
    }
  });

  it('ships an illustrative default table with spot cheaper than on-demand for every type', () => {
    expect(DEFAULT_PRICE_TABLE.illustrative).toBe(true);
    expect(DEFAULT_PRICE_TABLE.prices.size).toBeGreaterThan(10);
    for (const [type, p] of DEFAULT_PRICE_TABLE.prices) {
      expect(p.spot, type).not.toBeNull();
      expect(p.spot ?? Infinity, type).toBeLessThan(p.onDemand ?? 0);
    }
    expect(lookupPrice(EMPTY_PRICE_TABLE, 'p5.48xlarge', 'on-demand')).toBeNull();
  });
});
