import type { ParseIssue, ParseResult } from './parse-result.js';
import { failed, parsed } from './parse-result.js';
import { describeType } from './quantity.js';

/**
 * Node prices per hour keyed by instance type (`node.kubernetes.io/instance-type`) and capacity type.
 * A node's own annotation `tessera.io/hourly-price` wins over the table (see inventory-from-node.ts).
 *
 * Plain-object form (what the service loads from its configuration file):
 * ```json
 * { "currency": "USD",
 *   "prices": { "p4d.24xlarge": { "on-demand": 21.96, "spot": 8.8 }, "g6.xlarge": { "on-demand": 0.805 } } }
 * ```
 */

/** Hourly prices of one instance type; null when that capacity type has no known price. */
export interface InstancePrice {
  readonly onDemand: number | null;
  readonly spot: number | null;
}

/** A validated price table. */
export interface PriceTable {
  /** Currency code the prices are in, e.g. `USD`; only for display. */
  readonly currency: string;
  readonly prices: ReadonlyMap<string, InstancePrice>;
  /** True for the built-in table: its figures are illustrative list prices, not a quote. */
  readonly illustrative: boolean;
}

/** Largest hourly price accepted; a larger figure is almost certainly a unit mistake (cents, per month). */
export const MAX_HOURLY_PRICE = 10_000;

/** The price table with no entries: every node without a price annotation has an unknown price. */
export const EMPTY_PRICE_TABLE: PriceTable = Object.freeze({ currency: 'USD', prices: new Map(), illustrative: false });

/** Whether `x` is an acceptable hourly price (finite, 0..MAX_HOURLY_PRICE); a decimal string is accepted too. */
export function readHourlyPrice(x: unknown): number | string {
  let n: number;
  if (typeof x === 'number') n = x;
  else if (typeof x === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(x)) n = Number(x);
  else return `expected a non-negative decimal such as 12.5, got ${describeType(x)}`;
  if (!Number.isFinite(n) || n < 0) return `expected a non-negative decimal such as 12.5, got ${String(x)}`;
  if (n > MAX_HOURLY_PRICE) return `${n} per hour exceeds ${MAX_HOURLY_PRICE}: prices are per node per hour`;
  return n;
}

/** Validates a price table from a plain object; every bad field is reported by its path under `path`. */
export function parsePriceTable(input: unknown, path = 'priceTable'): ParseResult<PriceTable> {
  const errors: ParseIssue[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return failed([{ path, message: `cannot read price table: expected an object with "prices", got ${describeType(input)}` }]);
  }
  const rec = input as Readonly<Record<string, unknown>>;
  for (const k of Object.keys(rec)) {
    if (k !== 'currency' && k !== 'prices') errors.push({ path: `${path}.${k}`, message: `unknown price table field "${k}": expected currency or prices` });
  }
  let currency = 'USD';
  if (rec.currency !== undefined) {
    if (typeof rec.currency === 'string' && /^[A-Z]{3}$/.test(rec.currency)) currency = rec.currency;
    else errors.push({ path: `${path}.currency`, message: `cannot read currency ${JSON.stringify(rec.currency) ?? ''}: expected a 3-letter code such as "USD"` });
  }
  const prices = new Map<string, InstancePrice>();
  const table = rec.prices;
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    errors.push({ path: `${path}.prices`, message: `cannot read prices: expected an object keyed by instance type, got ${describeType(table)}` });
  } else {
    for (const [type, entry] of Object.entries(table as Record<string, unknown>)) {
      const at = `${path}.prices[${JSON.stringify(type)}]`;
      if (type.trim() === '') {
        errors.push({ path: at, message: 'cannot read price: empty instance type' });
        continue;
      }
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        errors.push({ path: at, message: `cannot read price of "${type}": expected {"on-demand": <price>, "spot": <price>}, got ${describeType(entry)}` });
        continue;
      }
      let onDemand: number | null = null;
      let spot: number | null = null;
      for (const [cap, v] of Object.entries(entry as Record<string, unknown>)) {
        if (cap !== 'on-demand' && cap !== 'spot') {
          errors.push({ path: `${at}.${cap}`, message: `unknown capacity type "${cap}": expected on-demand or spot` });
          continue;
        }
        const price = readHourlyPrice(v);
        if (typeof price === 'string') errors.push({ path: `${at}.${cap}`, message: `cannot read ${cap} price of "${type}": ${price}` });
        else if (cap === 'spot') spot = price;
        else onDemand = price;
      }
      prices.set(type, { onDemand, spot });
    }
  }
  return errors.length > 0 ? failed(errors) : parsed({ currency, prices, illustrative: false });
}

/** Hourly price of an instance type on a capacity type, or null when the table does not know it. */
export function lookupPrice(table: PriceTable, instanceType: string | null, capacityType: 'spot' | 'on-demand'): number | null {
  if (instanceType === null) return null;
  const p = table.prices.get(instanceType);
  if (p === undefined) return null;
  return capacityType === 'spot' ? p.spot : p.onDemand;
}

/**
 * Built-in table for common GPU instance types. ILLUSTRATIVE: rounded public list prices (US regions,
 * USD per hour, on-demand) as of 2025 and spot figures at a typical discount. Prices change and vary by
 * region; configure a real table for cost-aware scoring that matters.
 */
export const DEFAULT_PRICE_TABLE: PriceTable = (() => {
  const r = parsePriceTable({
    currency: 'USD',
    prices: {
      // AWS
      'p5.48xlarge': { 'on-demand': 55.04, spot: 22.0 }, // 8x H100-80GB SXM
      'p4de.24xlarge': { 'on-demand': 27.45, spot: 11.0 }, // 8x A100-80GB SXM
      'p4d.24xlarge': { 'on-demand': 21.96, spot: 8.8 }, // 8x A100-40GB SXM
      'g6e.xlarge': { 'on-demand': 1.861, spot: 0.75 }, // 1x L40S
      'g6e.48xlarge': { 'on-demand': 30.13, spot: 12.0 }, // 8x L40S
      'g6.xlarge': { 'on-demand': 0.805, spot: 0.32 }, // 1x L4
      'g6.48xlarge': { 'on-demand': 13.35, spot: 5.3 }, // 8x L4
      'g5.xlarge': { 'on-demand': 1.006, spot: 0.4 }, // 1x A10G
      'g4dn.xlarge': { 'on-demand': 0.526, spot: 0.21 }, // 1x T4
      // Google Cloud
      'a3-highgpu-8g': { 'on-demand': 88.25, spot: 35.0 }, // 8x H100-80GB
      'a2-ultragpu-8g': { 'on-demand': 40.55, spot: 16.0 }, // 8x A100-80GB
      'a2-highgpu-1g': { 'on-demand': 3.67, spot: 1.47 }, // 1x A100-40GB
      'g2-standard-4': { 'on-demand': 0.71, spot: 0.28 }, // 1x L4
      // Azure
      'Standard_ND96isr_H100_v5': { 'on-demand': 98.32, spot: 39.0 }, // 8x H100-80GB
      'Standard_ND96asr_v4': { 'on-demand': 27.2, spot: 10.9 }, // 8x A100-40GB
      'Standard_NC24ads_A100_v4': { 'on-demand': 3.67, spot: 1.47 }, // 1x A100-80GB PCIe
      'Standard_NC4as_T4_v3': { 'on-demand': 0.526, spot: 0.21 }, // 1x T4
    },
  }, 'DEFAULT_PRICE_TABLE');
  if (!r.ok) throw new Error(`bug: built-in price table is invalid: ${JSON.stringify(r.errors)}`);
  return Object.freeze({ ...r.value, illustrative: true });
})();
