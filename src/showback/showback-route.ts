import type { ReadOnlyRoute } from '../server/http/read-only-route.js';
import { badQuery, getRoute, readQuery } from '../server/http/read-only-route.js';
import type { Logger } from '../telemetry/logger.js';
import type { ShowbackGrouping, ShowbackLedger, ShowbackRow, ShowbackTotals } from './showback-ledger.js';
import { formatInstant, parseInstant } from './time-params.js';

/** The path of the showback API. */
export const SHOWBACK_PATH = '/api/v1/showback';
/** Window when `from` is omitted: the day before `to`. */
export const DEFAULT_SHOWBACK_WINDOW_MS = 24 * 3600_000;

/** What the showback route reads. */
export interface ShowbackRouteDeps {
  readonly ledger: ShowbackLedger;
  /** Currency of node prices. */
  readonly currency: string;
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * `GET /api/v1/showback?from=&to=&by=namespace|pod`: GPU-equivalent hours and cost inside [from, to) (default: the
 * 24 hours before now), per namespace or per pod. Bad parameters get a 400 that names them.
 */
export function showbackRoute(deps: ShowbackRouteDeps): ReadOnlyRoute {
  return getRoute((path) => path === SHOWBACK_PATH, (_req, _res, url) => {
    const q = readQuery(url, ['from', 'to', 'by'] as const, 'report showback');
    const now = deps.now();
    const issues: { path: string; message: string }[] = [];
    const time = (key: 'from' | 'to', fallback: number): number => {
      const text = q[key];
      if (text === undefined) return fallback;
      const r = parseInstant(text);
      if (r.ok) return r.ms;
      issues.push({ path: key, message: `${key}: ${r.message}` });
      return NaN;
    };
    const to = time('to', now);
    const from = time('from', to - DEFAULT_SHOWBACK_WINDOW_MS);
    const by = q.by ?? 'namespace';
    if (by !== 'namespace' && by !== 'pod') issues.push({ path: 'by', message: `by must be "namespace" or "pod", got ${JSON.stringify(by)}` });
    if (issues.length === 0 && !(from < to)) issues.push({ path: 'from', message: `from (${formatInstant(from)}) must be before to (${formatInstant(to)})` });
    if (issues.length > 0) throw badQuery('report showback', issues);
    const report = deps.ledger.report(from, to, now, by as ShowbackGrouping);
    const earliest = deps.ledger.earliestStart();
    return {
      json: {
        apiVersion: 'tessera.io/v1alpha1',
        kind: 'TesseraShowback',
        from: formatInstant(from),
        to: formatInstant(to),
        by,
        currency: deps.currency,
        coveredFrom: earliest === null ? null : formatInstant(earliest),
        items: report.rows.map(roundRow),
        total: roundTotals(report.total),
      },
    };
  }, deps.log);
}

/** Six decimals: a hundredth of a second of one GPU, and well below a cent. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function roundRow(r: ShowbackRow): ShowbackRow {
  return { ...r, gpuHours: round(r.gpuHours), cost: round(r.cost), unpricedGpuHours: round(r.unpricedGpuHours), gpuEquivalentsNow: round(r.gpuEquivalentsNow) };
}

function roundTotals(t: ShowbackTotals): ShowbackTotals {
  return { gpuHours: round(t.gpuHours), cost: round(t.cost), unpricedGpuHours: round(t.unpricedGpuHours), gpuEquivalentsNow: round(t.gpuEquivalentsNow) };
}
