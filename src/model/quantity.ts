/**
 * Kubernetes resource quantities (`500m`, `2`, `16Gi`, `40G`, `1e3`), parsed exactly.
 *
 * Grammar (k8s.io/apimachinery `resource.Quantity`):
 * ```
 * quantity ::= [+-] number suffix
 * number   ::= digits | digits "." [digits] | "." digits
 * suffix   ::= "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"          (binary, powers of 1024)
 *            | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E"  (decimal SI)
 *            | ("e" | "E") [+-] digits                              (decimal exponent)
 * ```
 * The value is kept as an exact rational (`mantissa × 10^exp10 × 2^exp2`) so `0.1` CPU becomes exactly
 * 100 milli; conversions round the way Kubernetes does (requests up).
 */

/** A parsed quantity: `(negative ? -1 : 1) × mantissa × 10^exp10 × 2^exp2`. */
export interface Quantity {
  readonly negative: boolean;
  readonly mantissa: bigint;
  readonly exp10: number;
  readonly exp2: number;
  /** What followed the number: `none` (plain), `binary` (Ki…), `decimal` (m, k, M…), `exponent` (e3). */
  readonly suffixKind: 'none' | 'binary' | 'decimal' | 'exponent';
}

/** Result of `parseQuantity`: the quantity, or why the text is not one. */
export type QuantityResult = { readonly ok: true; readonly value: Quantity } | { readonly ok: false; readonly reason: string };

const QUANTITY_RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE])?$/;
const BINARY_EXP: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_EXP: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Longest text we accept; Kubernetes itself caps quantities far below this. */
const MAX_TEXT = 64;
/** Exponents beyond this are rejected rather than expanded into enormous integers. */
const MAX_EXPONENT = 60;

/** Parses a quantity from a string (as the API serializes it) or a finite number (as YAML may give it). */
export function parseQuantity(input: unknown): QuantityResult {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: `not a finite number` };
    text = String(input);
  } else if (typeof input === 'string') {
    text = input.trim();
  } else {
    return { ok: false, reason: `expected a quantity string, got ${describeType(input)}` };
  }
  if (text.length === 0) return { ok: false, reason: 'empty quantity' };
  if (text.length > MAX_TEXT) return { ok: false, reason: `quantity longer than ${MAX_TEXT} characters` };
  const m = QUANTITY_RE.exec(text);
  if (m === null) return { ok: false, reason: 'not a Kubernetes quantity (examples: "2", "500m", "16Gi", "40G", "1e3")' };
  const [, sign = '', num = '', suffix = ''] = m;
  const dot = num.indexOf('.');
  const intPart = dot < 0 ? num : num.slice(0, dot);
  const fracPart = dot < 0 ? '' : num.slice(dot + 1);
  let exp10 = -fracPart.length;
  let exp2 = 0;
  let suffixKind: Quantity['suffixKind'] = 'none';
  if (suffix !== '') {
    const bin = BINARY_EXP[suffix];
    const dec = DECIMAL_EXP[suffix];
    if (bin !== undefined) {
      exp2 = bin;
      suffixKind = 'binary';
    } else if (dec !== undefined) {
      exp10 += dec;
      suffixKind = 'decimal';
    } else {
      const e = Number(suffix.slice(1));
      if (!Number.isSafeInteger(e) || Math.abs(e) > MAX_EXPONENT) return { ok: false, reason: `exponent "${suffix}" out of range` };
      exp10 += e;
      suffixKind = 'exponent';
    }
  }
  const mantissa = BigInt((intPart + fracPart).replace(/^0+(?=\d)/, '') || '0');
  return { ok: true, value: { negative: sign === '-' && mantissa !== 0n, mantissa, exp10, exp2, suffixKind } };
}

/**
 * `quantity × multiplier / divisor`, rounded up (`ceil`) or down (`floor`), as a JS number.
 * Returns null when the result is not a safe integer (absurdly large quantities).
 */
export function scaleQuantity(q: Quantity, multiplier: bigint, divisor: bigint, round: 'ceil' | 'floor'): number | null {
  let num = q.mantissa * multiplier;
  let den = divisor;
  if (q.exp10 >= 0) num *= 10n ** BigInt(q.exp10);
  else den *= 10n ** BigInt(-q.exp10);
  if (q.exp2 >= 0) num <<= BigInt(q.exp2);
  else den <<= BigInt(-q.exp2);
  let whole = num / den;
  const exact = whole * den === num;
  // Rounding is on the magnitude, then the sign is applied: ceil of a negative value moves towards zero.
  if (!exact && (round === 'ceil') !== q.negative) whole += 1n;
  const value = q.negative ? -whole : whole;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(value);
}

/** True when the quantity is a whole number (`2`, `2.0`, `1e3`, `16Gi`; not `1500m`). */
export function isWholeQuantity(q: Quantity): boolean {
  const whole = scaleQuantity(q, 1n, 1n, 'floor');
  const up = scaleQuantity(q, 1n, 1n, 'ceil');
  return whole !== null && whole === up;
}

/** Names a JSON value's type for error messages. */
export function describeType(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return 'an object';
  return `${typeof x} ${JSON.stringify(x)}`;
}

/** The quantity in milli units, rounded up as Kubernetes' `MilliValue` does (`0.1` -> 100, `2` -> 2000). */
export function quantityToMilli(q: Quantity): number | null {
  return scaleQuantity(q, 1000n, 1n, 'ceil');
}

/** A byte quantity in MiB (`16Gi` -> 16384); requests round up, capacities round down. */
export function bytesToMiB(q: Quantity, round: 'ceil' | 'floor'): number | null {
  return scaleQuantity(q, 1n, 1n << 20n, round);
}
