// @ts-check
/** Formatting and colours shared by the dashboard's views. */

/**
 * A number with at most `digits` decimals, trailing zeros dropped (`1.5`, `12`, `0.125`).
 * @param {number} x
 * @param {number} [digits]
 */
export function num(x, digits = 2) {
  if (!Number.isFinite(x)) return '–';
  return numberFormat(digits).format(x);
}

/** Intl formatters are slow to create (about a millisecond each): made once per kind and kept. */
const formats = new Map();
/** @type {Intl.NumberFormat[]} */
const byDigits = [];

/**
 * @param {number} digits
 * @returns {Intl.NumberFormat}
 */
function numberFormat(digits) {
  return (byDigits[digits] ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }));
}

/**
 * A share as a percentage (`37.5 %`).
 * @param {number} part
 * @param {number} whole
 */
export function pct(part, whole) {
  return whole > 0 ? `${num((100 * part) / whole, 1)} %` : '–';
}

/**
 * Money in the fleet's currency (`$12.30`), or `–` without a price.
 * @param {number | null} x
 * @param {string} currency
 */
export function money(x, currency) {
  if (x === null || !Number.isFinite(x)) return '–';
  const digits = x < 10 ? 3 : 2;
  const key = `c${currency}${digits}`;
  let f = formats.get(key);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: digits });
    } catch {
      return `${num(x, 2)} ${currency}`;
    }
    formats.set(key, f);
  }
  return f.format(x);
}

/** Ten colours told apart easily (Tableau 10), for the pods of one node and the namespaces of one chart. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/**
 * The colour of the i-th item of a list (palette first, then hashed hues beyond ten).
 * @param {number} i
 * @param {string} key used beyond the palette
 */
export function colorAt(i, key) {
  return i < PALETTE.length ? /** @type {string} */ (PALETTE[i]) : colorOf(key);
}

/**
 * A stable colour for a pod or namespace: its key hashed to a hue (same key, same colour, on every page).
 * @param {string} key
 */
export function colorOf(key) {
  let h = 2166136261;
  for (let i = 0; i < key.length; i += 1) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  const hue = (h >>> 0) % 360;
  const light = 42 + ((h >>> 9) % 3) * 8;
  return `hsl(${hue} 62% ${light}%)`;
}

/**
 * MiB as GiB when large (`80 GiB`, `512 MiB`).
 * @param {number} mib
 */
export function mem(mib) {
  return mib >= 1024 ? `${num(mib / 1024, 1)} GiB` : `${num(mib, 0)} MiB`;
}

/**
 * A time (RFC 3339) as local hh:mm:ss.
 * @param {string} iso
 */
export function clock(iso) {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? TIME.format(d) : iso;
}

const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
