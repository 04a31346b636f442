import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../src/cluster/cache/cluster-source.js';
import { SimulatedCluster } from '../../src/sim/simulated-cluster.js';
import { startTestServer, type TestServer } from '../server/harness.js';
import { dashboardFleetNodes, SCENARIO_PODS, schedulePod } from '../dashboard/dashboard-scenario.js';

/**
 * Showback over HTTP with an injected clock: the example workload bound at 10:00, one pod finishing and one
 * deleted at 11:00, the report at 12:00; then Tessera restarted from what the cluster still holds.
 */

const T0 = Date.parse('2026-11-23T10:00:00Z');
const H = 3600_000;
let clock = T0;
const now = (): number => clock;

interface Report {
  from: string; to: string; by: string; currency: string; coveredFrom: string | null;
  items: { namespace: string; pod?: string; uid?: string; node?: string; gpuHours: number; cost: number; unpricedGpuHours: number; gpuEquivalentsNow: number }[];
  total: { gpuHours: number; cost: number; unpricedGpuHours: number; gpuEquivalentsNow: number };
}

let first: TestServer;
let restarted: TestServer;
const placed = new Map<string, string>();
const names = dashboardFleetNodes().map((n) => n.metadata?.name as string);
const uidOf = (name: string): string => SCENARIO_PODS.find((p) => p.name === name)?.uid as string;

beforeAll(async () => {
  first = await startTestServer({ nodes: dashboardFleetNodes(), now, sim: { now } });
  for (const p of SCENARIO_PODS) placed.set(p.name, (await schedulePod(first, p, names)) as string);
  clock = T0 + H;
  const sim = first.sim as SimulatedCluster;
  const batch = sim.boundPods().find((p) => p.metadata?.uid === uidOf('batch-0')) as PodObject;
  sim.addPod({ ...batch, status: { ...batch.status, phase: 'Succeeded', containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 0, finishedAt: '2026-11-23T11:00:00Z' } } }] } } as PodObject);
  expect(sim.deletePod(uidOf('notebook-1'))).toBe(true);
  clock = T0 + 2 * H;
});
afterAll(async () => {
  await first.close();
  await restarted?.close();
});

const report = async (t: TestServer, query: string): Promise<Report> => {
  const r = await t.get(`/api/v1/showback${query}`);
  expect(r.status, r.text).toBe(200);
  return r.json as Report;
};

const WINDOW = '?from=2026-11-23T10:00:00Z&to=2026-11-23T12:00:00Z';

describe('GET /api/v1/showback', () => {
  it('reports GPU-hours and cost per namespace from the node prices', async () => {
    const r = await report(first, `${WINDOW}&by=namespace`);
    expect(r).toMatchObject({ from: '2026-11-23T10:00:00Z', to: '2026-11-23T12:00:00Z', by: 'namespace', currency: 'USD', coveredFrom: '2026-11-23T10:00:00Z' });
    expect(r.items).toEqual([
      // 4 H100 for 2 h at 98.32/8 per GPU-hour, and 2 A100 for 2 h at 14.69/4
      { namespace: 'team-a', gpuHours: 12, cost: 113.01, unpricedGpuHours: 0, gpuEquivalentsNow: 6 },
      // MIG 3g.40gb (0.5) for 2 h and 1g.10gb (0.125) for 1 h, deleted at 11:00
      { namespace: 'team-c', gpuHours: 1.125, cost: 13.82625, unpricedGpuHours: 0, gpuEquivalentsNow: 0.5 },
      // a quarter and a half of one A100 for 2 h
      { namespace: 'team-b', gpuHours: 1.5, cost: 5.50875, unpricedGpuHours: 0, gpuEquivalentsNow: 0.75 },
      // two of four time-slice replicas of a spot L4 for 1 h, finished at 11:00
      { namespace: 'team-d', gpuHours: 0.5, cost: 0.2875, unpricedGpuHours: 0, gpuEquivalentsNow: 0 },
    ]);
    expect(r.total).toEqual({ gpuHours: 15.125, cost: 132.6325, unpricedGpuHours: 0, gpuEquivalentsNow: 7.25 });
  });

  it('reports per pod with its UID and node', async () => {
    const r = await report(first, `${WINDOW}&by=pod`);
    expect(r.items.map((i) => `${i.namespace}/${i.pod} ${i.gpuHours}`)).toEqual([
      'team-a/train-0 8', 'team-a/train-1 4', 'team-c/notebook-0 1', 'team-b/infer-1 1', 'team-b/infer-0 0.5', 'team-c/notebook-1 0.125', 'team-d/batch-0 0.5',
    ]);
    expect(r.items[0]).toMatchObject({ uid: uidOf('train-0'), node: placed.get('train-0') });
  });

  it('counts only the window asked for; without from, the 24 hours before to; to in Unix seconds', async () => {
    const lastHour = await report(first, '?from=2026-11-23T11:00:00Z');
    expect(lastHour.to).toBe('2026-11-23T12:00:00Z');
    expect(lastHour.total.gpuHours).toBe(7.25);
    const day = await report(first, `?to=${(T0 + 2 * H) / 1000}`);
    expect(day.from).toBe('2026-11-22T12:00:00Z');
    expect(day.total.gpuHours).toBe(15.125);
  });

  it.each([
    ['?from=yesterday', /from: cannot read "yesterday" as a time: expected RFC 3339 with an offset/],
    ['?from=2026-11-23T10:00:00', /from: cannot read "2026-11-23T10:00:00" as a time/],
    ['?from=2026-11-23T12:00:00Z&to=2026-11-23T10:00:00Z', /from \(2026-11-23T12:00:00Z\) must be before to \(2026-11-23T10:00:00Z\)/],
    ['?by=team', /by must be "namespace" or "pod", got "team"/],
    ['?group=namespace', /unknown query parameter "group": expected from, to, by/],
    ['?by=pod&by=namespace', /query parameter "by" is given more than once/],
  ])('answers 400 to %s naming the problem', async (query, message) => {
    const r = await first.get(`/api/v1/showback${query}`);
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ Code: 'TESSERA_BAD_REQUEST' });
    expect((r.json as { Error: string }).Error).toMatch(/^cannot report showback: /);
    expect((r.json as { Error: string }).Error).toMatch(message);
  });
});

describe('showback after a restart', () => {
  it('rebuilds running pods from their bind time and finished pods the cluster still lists; deleted pods are gone', async () => {
    // A new process: the cluster hands over the pods it still has (notebook-1 was deleted, batch-0 finished).
    const sim = new SimulatedCluster(dashboardFleetNodes(), { now });
    for (const pod of (first.sim as SimulatedCluster).boundPods()) sim.addPod(pod);
    restarted = await startTestServer({ source: sim, now });
    const before = await report(first, `${WINDOW}&by=pod`);
    const after = await report(restarted, `${WINDOW}&by=pod`);
    const lost = before.items.filter((i) => i.pod === 'notebook-1');
    expect(lost).toHaveLength(1);
    expect(after.items).toEqual(before.items.filter((i) => i.pod !== 'notebook-1'));
    expect(after.total.gpuHours).toBe(before.total.gpuHours - 0.125);
  });
});
