/**
 * Kubernetes resource quantities (`500m`, `2`, `16Gi`, `40G`, `1e3`), parsed exactly.
 *
 * Accepts exactly the strings k8s.io/apimachinery's `resource.ParseQuantity` (v0.35) accepts: this is a port of
 * its scanner (`parseQuantityString`) and suffix table, not of the grammar in its doc comment, which is
 * narrower. What the scanner takes:
 * ```
 * quantity ::= [+-] digits* ["." digits*] suffix        (no space anywhere; "" is refused)
 * suffix   ::= "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"          (binary, powers of 1024)
 *            | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E"  (decimal SI)
 *            | ("e" | "E") [+-] digits                              (decimal exponent)
 * ```
 * So `+1` is a quantity (Kubernetes allows a leading `+`), and so are the degenerate `+`, `.`, `1.`, `k` and
 * `Ki` (zero, zero, one, zero, zero; but not `Pi` or `e-10`, see below), while ` 1`, `1 `, `1.2.3`, `1e`, `1KB` and `0x10` are not. (The apiserver's JSON decoder trims
 * surrounding spaces before parsing and re-serializes quantities canonically, so pods read from the API or
 * sent by kube-scheduler never carry them; Tessera refuses them where they appear.)
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

/** ParseQuantity's scan: [+-], digits, optional "." digits, then suffix letters, an optional sign and digits. */
const QUANTITY_RE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[+-]?[0-9]*)$/;
const BINARY_EXP: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_EXP: Readonly<Record<string, number>> = { '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Longest text we accept; Kubernetes itself caps quantities far below this. */
const MAX_TEXT = 64;
/** Exponents beyond this are rejected rather than expanded into enormous integers. */
const MAX_EXPONENT = 60;
const NOT_A_QUANTITY = 'not a Kubernetes quantity (examples: "2", "500m", "16Gi", "40G", "1e3")';

/** Parses a quantity from a string (as the API serializes it) or a finite number (as YAML may give it). */
export function parseQuantity(input: unknown): QuantityResult {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: `not a finite number` };
    text = String(input);
  } else if (typeof input === 'string') {
    text = input;
  } else {
    return { ok: false, reason: `expected a quantity string, got ${describeType(input)}` };
  }
  if (text.length === 0) return { ok: false, reason: 'empty quantity' };
  if (text.length > MAX_TEXT) return { ok: false, reason: `quantity longer than ${MAX_TEXT} characters` };
  const m = QUANTITY_RE.exec(text);
  if (m === null) return { ok: false, reason: NOT_A_QUANTITY };
  const [, sign = '', intPart = '', fracPart = '', suffix = ''] = m;
  let exp10 = -fracPart.length;
  let exp2 = 0;
  let suffixKind: Quantity['suffixKind'] = 'none';
  const bin = BINARY_EXP[suffix];
  const dec = DECIMAL_EXP[suffix];
  if (dec !== undefined) {
    exp10 += dec;
    if (suffix !== '') suffixKind = 'decimal';
  } else if (bin !== undefined) {
    exp2 = bin;
    suffixKind = 'binary';
  } else if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const e = Number(suffix.slice(1));
    if (!Number.isSafeInteger(e) || Math.abs(e) > MAX_EXPONENT) return { ok: false, reason: `exponent "${suffix}" out of range` };
    exp10 += e;
    suffixKind = 'exponent';
  } else {
    return { ok: false, reason: NOT_A_QUANTITY };
  }
  if (intPart === '' && fracPart === '' && (suffixKind === 'binary' ? exp2 >= 50 : exp10 < -9)) {
    // Kubernetes reads such a value with its arbitrary-precision path, which needs a digit: `Pi`, `e-10` are
    // refused while `Ki`, `n` and `e-9` are zero.
    return { ok: false, reason: NOT_A_QUANTITY };
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

/**
 * The quantity in milli units, rounded as Kubernetes' `MilliValue` does: away from zero (`0.1` -> 100, `1u` -> 1,
 * `-1u` -> -1).
 */
export function quantityToMilli(q: Quantity): number | null {
  return scaleQuantity(q, 1000n, 1n, q.negative ? 'floor' : 'ceil');
}

/** A byte quantity in MiB (`16Gi` -> 16384); requests round up, capacities round down. */
export function bytesToMiB(q: Quantity, round: 'ceil' | 'floor'): number | null {
  return scaleQuantity(q, 1n, 1n << 20n, round);
}
