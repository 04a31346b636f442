import type { ClusterCache } from '../cluster/cache/cluster-cache.js';
import { RequestError } from '../server/request-error.js';
import { nodesView } from '../server/nodes-view.js';
import { badQuery, getRoute, readQuery, type ReadOnlyRoute } from '../server/http/read-only-route.js';
import { allocationGpuEquivalents } from '../showback/gpu-equivalents.js';
import type { ShowbackLedger } from '../showback/showback-ledger.js';
import { formatInstant, parseDuration } from '../showback/time-params.js';
import type { Logger } from '../telemetry/logger.js';
import type { FleetHistory, FleetSample } from './fleet-history.js';
import type { FleetSummary, FleetTotals, NodeSummary } from './fleet-summary.js';
import type { FleetTotalsTracker } from './fleet-totals.js';
import type { PendingPods } from './pending-pods.js';

/** Paths of the dashboard's data endpoints. */
export const DASHBOARD_API = {
  state: '/api/v1/dashboard/state',
  history: '/api/v1/dashboard/history',
  nodePrefix: '/api/v1/dashboard/nodes/',
} as const;

/** Columns of the compact node rows of the state endpoint. */
export const NODE_COLUMNS = ['name', 'product', 'gpus', 'spot', 'pricePerGpu', 'allocated', 'stranded', 'pods'] as const;
/** Pending pods listed in one state answer (the most recently reported; `pendingTotal` counts all). */
export const MAX_PENDING_LISTED = 200;
/** Buckets of the cost series, whatever the window. */
export const COST_BUCKETS = 60;
/** Windows the history endpoint accepts: one minute to the showback retention. */
const MIN_WINDOW_MS = 60_000;
const MAX_WINDOW_MS = 35 * 24 * 3600_000;

/** What the data endpoints read. */
export interface DashboardApiDeps {
  readonly cache: ClusterCache;
  /** `sim` or `kube`. */
  readonly cluster: string;
  readonly fleet: FleetSummary;
  /** Fleet totals at the cache's current version. */
  readonly totals: FleetTotalsTracker;
  readonly ledger: ShowbackLedger;
  readonly pending: PendingPods;
  readonly history: FleetHistory;
  readonly currency: string;
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * The dashboard's data, read-only JSON:
 * - `GET /api/v1/dashboard/state?since=<version>&pending=<pendingVersion>`: fleet totals, the node rows that
 *   changed since the cache version `since` (every node without `since`, or when the cache no longer remembers that
 *   far), and the pending pods unless they are unchanged since `pending`. The page polls it with the versions of
 *   its last answer.
 * - `GET /api/v1/dashboard/history?window=1h`: allocated and stranded GPUs over time, and cost per hour by
 *   namespace in 60 buckets.
 * - `GET /api/v1/dashboard/nodes/<name>`: one node's GPUs, links and the pods on them with their devices.
 */
export function dashboardApiRoutes(deps: DashboardApiDeps): ReadOnlyRoute[] {
  let sorted: { version: number; names: string[] } | null = null;
  /** Node names sorted, kept per cache version (the full answer lists nodes by name). */
  const sortedNames = (): string[] => {
    if (sorted === null || sorted.version !== deps.cache.version) {
      sorted = { version: deps.cache.version, names: [...deps.cache.snapshot().nodes.keys()].sort() };
    }
    return sorted.names;
  };

  let perNode: { version: number; pods: Map<string, number> } | null = null;
  /** Pods holding GPU-equivalents per node, kept per ledger version. */
  const podsOnNodes = (): Map<string, number> => {
    if (perNode === null || perNode.version !== deps.ledger.version) perNode = { version: deps.ledger.version, pods: podsPerNode(deps.ledger) };
    return perNode.pods;
  };
  let pendingRows: { version: number; rows: unknown[] } | null = null;

  const state = getRoute((p) => p === DASHBOARD_API.state, (_req, _res, url) => {
    const q = readQuery(url, ['since', 'pending'] as const, 'read the dashboard state');
    const version = (key: 'since' | 'pending', what: string): number | null => {
      const text = q[key];
      if (text === undefined) return null;
      if (!/^\d{1,15}$/.test(text)) throw badQuery('read the dashboard state', [{ path: key, message: `${key} must be ${what} (a whole number), got ${JSON.stringify(text)}` }]);
      return Number(text);
    };
    const since = version('since', 'a cache version');
    const pendingSince = version('pending', 'a pending-pods version');
    const now = deps.now();
    const snapshot = deps.cache.snapshot();
    const cacheVersion = deps.cache.version;
    const changed = since === null || since > cacheVersion ? null : deps.cache.changedSince(since);
    const pods = podsOnNodes();
    const row = (s: NodeSummary): unknown[] => [
      s.name, s.product, s.gpus, s.spot ? 1 : 0, s.pricePerGpu === null ? null : round(s.pricePerGpu, 4),
      round(s.allocated, 3), round(s.stranded, 3), pods.get(s.name) ?? 0,
    ];
    const nodes: unknown[][] = [];
    const removed: string[] = [];
    if (changed === null) {
      for (const name of sortedNames()) {
        const st = snapshot.nodes.get(name);
        if (st !== undefined) nodes.push(row(deps.fleet.node(st)));
      }
    } else {
      for (const name of new Set(changed)) {
        const st = snapshot.nodes.get(name);
        if (st === undefined) removed.push(name);
        else nodes.push(row(deps.fleet.node(st)));
      }
    }
    const pending = deps.pending.list(now);
    // Sent only when it changed since the page's copy: 200 reasons are most of a quiet answer's bytes.
    const pendingVersion = deps.pending.version;
    if (pendingRows === null || pendingRows.version !== pendingVersion) {
      pendingRows = {
        version: pendingVersion,
        rows: pending.slice(0, MAX_PENDING_LISTED).map((p) => ({
          namespace: p.namespace, name: p.name, uid: p.uid, message: p.message,
          firstReported: formatInstant(p.firstReported), lastReported: formatInstant(p.lastReported), reports: p.reports,
        })),
      };
    }
    return {
      json: {
        apiVersion: 'tessera.io/v1alpha1',
        kind: 'TesseraDashboardState',
        version: cacheVersion,
        full: changed === null,
        cluster: deps.cluster,
        synced: deps.cache.synced,
        time: formatInstant(now),
        currency: deps.currency,
        fleet: roundTotals(deps.totals.totals()),
        podsHolding: deps.ledger.openCount,
        nodeColumns: NODE_COLUMNS,
        nodes,
        removed,
        pendingTotal: pending.length,
        pendingVersion,
        pending: pendingSince === pendingVersion ? null : pendingRows.rows,
      },
    };
  }, deps.log);

  const history = getRoute((p) => p === DASHBOARD_API.history, (_req, _res, url) => {
    const q = readQuery(url, ['window'] as const, 'read the dashboard history');
    let window = 3600_000;
    if (q.window !== undefined) {
      const d = parseDuration(q.window);
      const message = !d.ok ? d.message : d.ms < MIN_WINDOW_MS || d.ms > MAX_WINDOW_MS ? `window must be between 1m and 35d, got ${JSON.stringify(q.window)}` : null;
      if (message !== null || !d.ok) throw badQuery('read the dashboard history', [{ path: 'window', message: `window: ${message ?? ''}` }]);
      window = d.ms;
    }
    const now = deps.now();
    const samples: FleetSample[] = deps.history.since(now - window);
    const totals = deps.totals.totals();
    samples.push({ t: now, gpus: totals.gpus, allocated: totals.allocated, idle: totals.idle, stranded: totals.stranded });
    const step = Math.max(10_000, Math.ceil(window / COST_BUCKETS / 1000) * 1000);
    const from = Math.floor((now - window) / step) * step + step;
    const cost = deps.ledger.costSeries(from, from + COST_BUCKETS * step, step, now, 8);
    // Buckets that have begun (the one starting at `now` has nothing in it yet).
    const lastBucket = Math.min(COST_BUCKETS, Math.max(1, Math.ceil((now - from) / step)));
    return {
      json: {
        apiVersion: 'tessera.io/v1alpha1',
        kind: 'TesseraDashboardHistory',
        window: window / 1000,
        time: formatInstant(now),
        currency: deps.currency,
        fleet: {
          t: samples.map((s) => Math.round(s.t / 1000)),
          gpus: samples.map((s) => s.gpus),
          allocated: samples.map((s) => round(s.allocated, 3)),
          idle: samples.map((s) => round(s.idle, 3)),
          stranded: samples.map((s) => round(s.stranded, 3)),
        },
        cost: {
          step: step / 1000,
          t: cost.times.slice(0, lastBucket).map((t) => Math.round(t / 1000)),
          namespaces: cost.namespaces,
          perHour: cost.values.map((v) => v.slice(0, lastBucket).map((x) => round(x, 4))),
        },
      },
    };
  }, deps.log);

  const node = getRoute((p) => p.startsWith(DASHBOARD_API.nodePrefix), (_req, _res, url) => {
    readQuery(url, [] as const, 'read a node');
    let name: string;
    try {
      name = decodeURIComponent(url.pathname.slice(DASHBOARD_API.nodePrefix.length));
    } catch {
      throw new RequestError('TESSERA_BAD_REQUEST', `cannot read a node: the name in ${JSON.stringify(url.pathname)} is not valid percent-encoding`);
    }
    const inventory = deps.cache.inventory(name);
    const state = deps.cache.nodeState(name);
    if (inventory === undefined || state === undefined) {
      throw new RequestError('TESSERA_NOT_FOUND', `no node ${JSON.stringify(name)} in Tessera's cluster cache`);
    }
    const pods = deps.cache.podsOn(name);
    const view = (nodesView([{ inventory, state, pods }], { cluster: deps.cluster, synced: deps.cache.synced, version: deps.cache.version }) as { nodes: Record<string, unknown>[] }).nodes[0] as Record<string, unknown>;
    const summary = deps.fleet.node(state);
    return {
      json: {
        apiVersion: 'tessera.io/v1alpha1',
        kind: 'TesseraDashboardNode',
        version: deps.cache.version,
        ...view,
        summary: { allocated: round(summary.allocated, 3), idle: round(summary.idle, 3), stranded: round(summary.stranded, 3), pricePerGpu: summary.pricePerGpu },
        pods: (view.pods as Record<string, unknown>[]).map((p, i) => {
          const allocation = pods[i]?.allocation ?? null;
          return { ...p, gpuEquivalents: allocation === null ? 0 : round(allocationGpuEquivalents(allocation, inventory), 4) };
        }),
      },
    };
  }, deps.log);

  return [state, history, node];
}

/** Pods holding GPU-equivalents per node. */
function podsPerNode(ledger: ShowbackLedger): Map<string, number> {
  const out = new Map<string, number>();
  for (const h of ledger.openHoldings()) out.set(h.node, (out.get(h.node) ?? 0) + 1);
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function roundTotals(t: FleetTotals): FleetTotals {
  return {
    nodes: t.nodes, gpus: t.gpus, allocated: round(t.allocated, 3), idle: round(t.idle, 3), stranded: round(t.stranded, 3),
    allocatedCostPerHour: round(t.allocatedCostPerHour, 4),
    groups: t.groups.map((g) => ({ ...g, allocated: round(g.allocated, 3), stranded: round(g.stranded, 3) })),
  };
}
