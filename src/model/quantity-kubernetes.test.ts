import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQuantity, quantityToMilli } from './quantity.js';

/**
 * 20,000 strings judged by Kubernetes' own `resource.ParseQuantity` (k8s.io/apimachinery v0.35.4), with
 * `MilliValue()` for the accepted ones: made by scripts/quantity-corpus (a Go program over the real package).
 * Tessera must accept exactly what Kubernetes accepts and read the same value.
 */
interface Judged { readonly s: string; readonly ok: boolean; readonly milli?: number }
const corpus = JSON.parse(readFileSync(join(import.meta.dirname, 'testdata', 'k8s-parse-quantity.json'), 'utf8')) as Judged[];

describe('parseQuantity matches Kubernetes\' ParseQuantity', () => {
  it('has a corpus with both verdicts in it', () => {
    expect(corpus.length).toBe(20_000);
    expect(corpus.filter((e) => e.ok).length).toBeGreaterThan(2000);
    expect(corpus.filter((e) => !e.ok).length).toBeGreaterThan(2000);
  });

  it('accepts and refuses exactly the strings Kubernetes does, with the same milli value', () => {
    // One deliberate difference: exponents beyond ±60 (`28e808`) are refused as out of range, not expanded.
    const outOfRange = (e: Judged): boolean => {
      const r = parseQuantity(e.s);
      return e.ok && !r.ok && /exponent .* out of range/.test(r.reason) && /[eE][+-]?\d{2,}$/.test(e.s);
    };
    const wrong = corpus.filter((e) => {
      const r = parseQuantity(e.s);
      if (r.ok !== e.ok) return !outOfRange(e);
      return r.ok && e.milli !== undefined && quantityToMilli(r.value) !== e.milli;
    });
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(corpus.filter(outOfRange).length).toBeLessThan(corpus.length / 20);
  });

  it.each([
    ['a leading space', ' 1', false],
    ['a trailing space', '1 ', false],
    ['a tab', '\t1', false],
    ['a leading plus (Kubernetes allows it)', '+1', true],
    ['a bare sign (zero to Kubernetes)', '+', true],
    ['a bare dot (zero to Kubernetes)', '.', true],
    ['a bare suffix (zero to Kubernetes)', 'Ki', true],
    ['an exponent without digits', '1e', false],
    ['a unit Kubernetes does not know', '1KB', false],
    ['hexadecimal', '0x10', false],
  ])('%s: %j is %s', (_name, text, ok) => {
    expect(corpus.find((e) => e.s === text)?.ok).toBe(ok);
    expect(parseQuantity(text).ok).toBe(ok);
  });
});
