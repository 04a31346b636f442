import { parse } from 'yaml';

/** A replay scenario (docs/replay.md "Scenarios"): the trace onto a priced, partly spot, topology-aware fleet. */
export interface Scenario {
  readonly name: string;
  /** Node and pod list paths, relative to the scenario file. */
  readonly nodes: string;
  readonly pods: string;
  /** Keep every `nodeStride`-th GPU node (sorted by name) to make a small cluster; 1 = all. */
  readonly nodeStride: number;
  /** Arriving GPU demand as a multiple of the cluster's GPU capacity. */
  readonly arrivalRatio: number;
  readonly seed: number;
  /** Trace GPU model -> topology preset name (topology/presets); models not listed get a generated PCIe matrix. */
  readonly topology: Readonly<Record<string, string>>;
  /** Trace GPU model -> on-demand price per GPU-hour. */
  readonly pricePerGpuHour: Readonly<Record<string, number>>;
  /** Share of nodes (chosen by seed) that are spot, and the spot discount off the on-demand price. */
  readonly spotShare: number;
  readonly spotDiscount: number;
  /** Share of pods (chosen by seed) that tolerate spot (interruptible). */
  readonly interruptibleShare: number;
}

/** One validation problem, by path. */
export interface ScenarioIssue { readonly path: string; readonly message: string }

const KEYS = ['name', 'nodes', 'pods', 'nodeStride', 'arrivalRatio', 'seed', 'topology', 'pricePerGpuHour', 'spot', 'interruptibleShare'];

/** Parses and validates scenario YAML; every bad field is reported by path. */
export function parseScenario(text: string): { ok: true; value: Scenario } | { ok: false; errors: ScenarioIssue[] } {
  let doc: unknown;
  try { doc = parse(text); } catch (e) { return { ok: false, errors: [{ path: '', message: `not YAML: ${(e as Error).message}` }] }; }
  const errors: ScenarioIssue[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, errors: [{ path: '', message: 'must be a mapping' }] };
  const x = doc as Record<string, unknown>;
  for (const k of Object.keys(x)) if (!KEYS.includes(k)) errors.push({ path: k, message: `unknown field: known fields are ${KEYS.join(', ')}` });
  const str = (k: string, dflt?: string): string => {
    const v = x[k];
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'string' || v === '') { errors.push({ path: k, message: `must be a non-empty string, got ${JSON.stringify(v)}` }); return ''; }
    return v;
  };
  const num = (path: string, v: unknown, dflt: number, min: number, max: number, integer = false): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      errors.push({ path, message: `must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(v)}` });
      return dflt;
    }
    return v;
  };
  const map = <T>(path: string, v: unknown, check: (val: unknown, p: string) => T | null): Record<string, T> => {
    if (v === undefined) return {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) { errors.push({ path, message: 'must be a mapping of GPU model to value' }); return {}; }
    const out: Record<string, T> = {};
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      const r = check(val, `${path}.${k}`);
      if (r !== null) out[k] = r;
    }
    return out;
  };
  const spot = x['spot'] ?? {};
  if (typeof spot !== 'object' || spot === null || Array.isArray(spot)) errors.push({ path: 'spot', message: 'must be a mapping {share, discount}' });
  const s = (typeof spot === 'object' && spot !== null ? spot : {}) as Record<string, unknown>;
  for (const k of Object.keys(s)) if (k !== 'share' && k !== 'discount') errors.push({ path: `spot.${k}`, message: 'unknown field: known fields are share, discount' });
  const value: Scenario = {
    name: str('name'),
    nodes: str('nodes'),
    pods: str('pods'),
    nodeStride: num('nodeStride', x['nodeStride'], 1, 1, 1000, true),
    arrivalRatio: num('arrivalRatio', x['arrivalRatio'], 1, 0.01, 10),
    seed: num('seed', x['seed'], 42, 0, 2 ** 31, true),
    topology: map('topology', x['topology'], (v, p) => {
      if (typeof v === 'string' && v !== '') return v;
      errors.push({ path: p, message: `must be a preset name, got ${JSON.stringify(v)}` });
      return null;
    }),
    pricePerGpuHour: map('pricePerGpuHour', x['pricePerGpuHour'], (v, p) => {
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
      errors.push({ path: p, message: `must be a price >= 0, got ${JSON.stringify(v)}` });
      return null;
    }),
    spotShare: num('spot.share', s['share'], 0, 0, 1),
    spotDiscount: num('spot.discount', s['discount'], 0.6, 0, 1),
    interruptibleShare: num('interruptibleShare', x['interruptibleShare'], 0, 0, 1),
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}
