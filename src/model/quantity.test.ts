import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToMiB, isWholeQuantity, parseQuantity, quantityToMilli, scaleQuantity } from './quantity.js';

/** Parses or fails the test. */
function q(text: string | number) {
  const r = parseQuantity(text);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${r.reason}`);
  return r.value;
}

describe('parseQuantity', () => {
  it.each([
    ['a plain integer is read as itself', '2', 2000],
    ['milli suffix is thousandths', '500m', 500],
    ['a decimal fraction is exact (0.1 CPU is 100 milli, not 101)', '0.1', 100],
    ['a decimal exponent scales by ten', '1e3', 1_000_000],
    ['an upper-case exponent with sign works', '15E-1', 1500],
    ['kilo is 1000', '2k', 2_000_000],
    ['a number from YAML is accepted', 4, 4000],
    ['a leading dot is allowed', '.5', 500],
    ['a trailing dot is allowed', '3.', 3000],
    ['an explicit plus sign is allowed', '+7', 7000],
    ['sub-milli values round up as MilliValue does', '1u', 1],
  ])('%s: %j -> %d milli', (_name, text, milli) => {
    expect(quantityToMilli(q(text))).toBe(milli);
  });

  it.each([
    ['16Gi is 16384 MiB', '16Gi', 'ceil', 16384],
    ['40G (decimal) is 38147 MiB rounded up', '40G', 'ceil', 38147],
    ['40G rounds down for capacities', '40G', 'floor', 38146],
    ['Ki sums the way kubelet reports memory', '2113412Ki', 'floor', 2063],
    ['1Ti is 1048576 MiB', '1Ti', 'ceil', 1_048_576],
    ['plain bytes round up to a whole MiB', '1', 'ceil', 1],
  ] as const)('%s', (_name, text, round, mib) => {
    expect(bytesToMiB(q(text), round)).toBe(mib);
  });

  it.each([
    ['a unit that is not a suffix', '10GB', 'not a Kubernetes quantity'],
    ['an empty string', '', 'empty quantity'],
    ['a word', 'lots', 'not a Kubernetes quantity'],
    ['two dots', '1.2.3', 'not a Kubernetes quantity'],
    ['a huge exponent', '1e999', 'out of range'],
    ['an object', { n: 1 }, 'expected a quantity string, got an object'],
    ['null', null, 'expected a quantity string, got null'],
    ['infinity', Number.POSITIVE_INFINITY, 'not a finite number'],
  ])('rejects %s', (_name, input, reason) => {
    const r = parseQuantity(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it.each([
    ['"2" is whole', '2', true],
    ['"2.0" is whole', '2.0', true],
    ['"1500m" is not whole', '1500m', false],
    ['"1e3" is whole', '1e3', true],
    ['"0.5" is not whole', '0.5', false],
  ])('isWholeQuantity: %s', (_name, text, whole) => {
    expect(isWholeQuantity(q(text))).toBe(whole);
  });

  it('marks negative values and rounds their magnitude', () => {
    const v = q('-1.5');
    expect(v.negative).toBe(true);
    expect(scaleQuantity(v, 1n, 1n, 'ceil')).toBe(-1);
    expect(scaleQuantity(v, 1n, 1n, 'floor')).toBe(-2);
  });

  it('records the suffix kind so callers can tell plain numbers from byte quantities', () => {
    expect([q('10').suffixKind, q('10Gi').suffixKind, q('10G').suffixKind, q('1e1').suffixKind])
      .toEqual(['none', 'binary', 'decimal', 'exponent']);
  });

  it('returns null instead of an unsafe number for absurd amounts', () => {
    expect(quantityToMilli(q('999999999999999999999'))).toBeNull();
  });

  it('agrees with floating point for integers and milli amounts (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), (n) => {
      expect(quantityToMilli(q(String(n)))).toBe(n * 1000);
      expect(quantityToMilli(q(`${n}m`))).toBe(n);
      expect(bytesToMiB(q(`${n}Mi`), 'floor')).toBe(n);
    }));
  });

  it('never throws on arbitrary strings (property)', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const r = parseQuantity(s);
      expect(typeof r.ok).toBe('boolean');
    }));
  });
});
