import { describe, expect, it } from 'vitest';
import { MAX_CLOSED, OTHER_NAMESPACES, RETENTION_MS, ShowbackLedger, type Holding } from './showback-ledger.js';

const H = 3600_000;
const T0 = Date.parse('2026-11-23T10:00:00Z');

function holding(over: Partial<Holding> & Pick<Holding, 'uid'>): Omit<Holding, 'end'> {
  return { namespace: 'team-a', name: over.uid, node: 'n', gpuEquivalents: 1, gpuHourlyPrice: 2, start: T0, ...over };
}

describe('ShowbackLedger.report()', () => {
  it('counts a 25 % share held for an hour as 0.25 GPU-hours, priced at the node\'s GPU-hour', () => {
    const l = new ShowbackLedger();
    l.open(holding({ uid: 'p', gpuEquivalents: 0.25, gpuHourlyPrice: 14.69 / 4 }));
    const r = l.report(T0, T0 + H, T0 + H, 'namespace');
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]?.gpuHours).toBeCloseTo(0.25, 12);
    expect(r.rows[0]?.cost).toBeCloseTo(0.25 * 14.69 / 4, 12);
    expect(r.total.gpuHours).toBeCloseTo(0.25, 12);
  });

  it('counts only the part inside the window, and nothing after now', () => {
    const l = new ShowbackLedger();
    l.open(holding({ uid: 'p', start: T0 }));
    expect(l.report(T0 + H, T0 + 3 * H, T0 + 2 * H, 'namespace').total.gpuHours).toBeCloseTo(1, 12);
    expect(l.report(T0 - H, T0 + 10 * H, T0 + 2 * H, 'namespace').total.gpuHours).toBeCloseTo(2, 12);
    expect(l.report(T0 - 2 * H, T0 - H, T0 + 2 * H, 'namespace').rows).toEqual([]);
  });

  it('stops counting a closed holding at its end, and reports what is held now only for a window holding now', () => {
    const l = new ShowbackLedger();
    l.open(holding({ uid: 'gone' }));
    l.open(holding({ uid: 'running', gpuEquivalents: 0.5 }));
    expect(l.close('gone', T0 + H)).toBe(true);
    expect(l.close('gone', T0 + 2 * H)).toBe(false);
    const r = l.report(T0, T0 + 4 * H, T0 + 3 * H, 'pod');
    expect(r.rows.map((x) => [x.pod, x.gpuHours, x.gpuEquivalentsNow])).toEqual([['running', 1.5, 0.5], ['gone', 1, 0]]);
    const past = l.report(T0, T0 + H, T0 + 3 * H, 'pod');
    expect(past.total.gpuEquivalentsNow).toBe(0);
  });

  it('groups by namespace, sorted by cost', () => {
    const l = new ShowbackLedger();
    l.open(holding({ uid: 'a1', namespace: 'team-a', gpuHourlyPrice: 1 }));
    l.open(holding({ uid: 'a2', namespace: 'team-a', gpuHourlyPrice: 1 }));
    l.open(holding({ uid: 'b1', namespace: 'team-b', gpuHourlyPrice: 10 }));
    const r = l.report(T0, T0 + H, T0 + H, 'namespace');
    expect(r.rows.map((x) => [x.namespace, x.gpuHours, x.cost])).toEqual([['team-b', 1, 10], ['team-a', 2, 2]]);
    expect(r.rows[0]).not.toHaveProperty('pod');
  });

  it('keeps GPU-hours on nodes without a price apart from cost', () => {
    const l = new ShowbackLedger();
    l.open(holding({ uid: 'p', gpuHourlyPrice: null }));
    const r = l.report(T0, T0 + H, T0 + H, 'namespace');
    expect(r.rows[0]).toMatchObject({ gpuHours: 1, cost: 0, unpricedGpuHours: 1 });
  });

  it('closes the previous holding of a pod whose allocation changes at the new start', () => {
    const l = new ShowbackLedger();
    l.open(holding({ uid: 'p', gpuEquivalents: 1 }));
    l.open(holding({ uid: 'p', gpuEquivalents: 2, start: T0 + H }));
    expect(l.report(T0, T0 + 2 * H, T0 + 2 * H, 'pod').total.gpuHours).toBeCloseTo(3, 12);
  });
});

describe('ShowbackLedger.addClosed()', () => {
  it('records a finished pod once, however often the cluster reports it', () => {
    const l = new ShowbackLedger();
    const h = { ...holding({ uid: 'job' }), end: T0 + H };
    l.addClosed(h);
    l.addClosed(h);
    expect(l.report(T0, T0 + 2 * H, T0 + 2 * H, 'pod').total.gpuHours).toBe(1);
    expect(l.hasClosed('job', T0)).toBe(true);
  });
});

describe('ShowbackLedger.prune()', () => {
  it('drops closed holdings that ended more than the retention ago, keeps open ones', () => {
    const l = new ShowbackLedger();
    l.open(holding({ uid: 'old' }));
    l.close('old', T0 + H);
    l.open(holding({ uid: 'open' }));
    l.prune(T0 + H + RETENTION_MS - 1);
    expect(l.hasClosed('old', T0)).toBe(true);
    l.prune(T0 + H + RETENTION_MS + 1);
    expect(l.hasClosed('old', T0)).toBe(false);
    expect(l.openHolding('open')).toBeDefined();
    expect(l.earliestStart()).toBe(T0);
  });

  it('keeps at most maxClosed closed holdings (MAX_CLOSED by default), dropping the first closed', () => {
    expect(MAX_CLOSED).toBe(500_000);
    const l = new ShowbackLedger(100);
    for (let i = 0; i <= 100; i += 1) l.addClosed({ ...holding({ uid: `p${i}` }), end: T0 + 1 });
    l.prune(T0 + 2);
    expect(l.hasClosed('p0', T0)).toBe(false);
    expect(l.hasClosed('p1', T0)).toBe(true);
    expect(l.hasClosed('p100', T0)).toBe(true);
  });
});

describe('ShowbackLedger.costSeries()', () => {
  it('gives the mean cost per hour of each namespace per bucket, the running bucket over its elapsed part', () => {
    const l = new ShowbackLedger();
    l.open(holding({ uid: 'a', namespace: 'team-a', gpuHourlyPrice: 4, start: T0 + H / 2 }));
    const s = l.costSeries(T0, T0 + 3 * H, H, T0 + 2.5 * H, 8);
    expect(s.times).toEqual([T0, T0 + H, T0 + 2 * H]);
    expect(s.namespaces).toEqual(['team-a']);
    // half of bucket 0 at $4/h -> $2 over an hour: $2/h on average; then $4/h; the running bucket is $4/h too.
    expect(s.values[0]).toEqual([2, 4, 4]);
  });

  it('keeps the top namespaces by cost and sums the rest as (other)', () => {
    const l = new ShowbackLedger();
    ['a', 'b', 'c', 'd'].forEach((ns, i) => l.open(holding({ uid: ns, namespace: ns, gpuHourlyPrice: i + 1 })));
    const s = l.costSeries(T0, T0 + H, H, T0 + H, 3);
    expect(s.namespaces).toEqual(['d', 'c', OTHER_NAMESPACES]);
    expect(s.values.map((v) => v[0])).toEqual([4, 3, 3]);
  });
});
