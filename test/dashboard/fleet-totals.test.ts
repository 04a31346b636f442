import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/harness.js';
import { bindArgs, kubePod, namesArgs } from '../server/kube-fixtures.js';
import { dashboardFleetNodes } from './dashboard-scenario.js';

/** The incremental fleet totals equal totals computed afresh, through binds, deletions and node changes. */

let t: TestServer;
const nodes = dashboardFleetNodes();
const names = nodes.map((n) => n.metadata?.name as string);

beforeAll(async () => {
  t = await startTestServer({ nodes });
});
afterAll(async () => {
  await t.close();
});

/** Deterministic rng (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const REQUESTS: Record<string, string>[] = [
  { 'nvidia.com/gpu': '1' }, { 'nvidia.com/gpu': '2' }, { 'tessera.io/gpu-memory': '10Gi', 'tessera.io/gpu-compute': '250' },
  { 'tessera.io/mig-1g.10gb': '1' }, { 'tessera.io/gpu-replica': '1' },
];

describe('FleetTotalsTracker', () => {
  it('matches FleetSummary.totals over every node after each of 300 random changes', async () => {
    const random = rng(11);
    const views = t.server.views;
    const live: string[] = [];
    let removed: string | null = null;
    for (let step = 0; step < 300; step += 1) {
      const r = random();
      if (r < 0.55 || live.length === 0) {
        const uid = `p-${step}`;
        const pod = kubePod({ name: uid, uid, namespace: 'ns', requests: REQUESTS[Math.floor(random() * REQUESTS.length)] as Record<string, string>, annotations: { 'tessera.io/interruptible': 'true' } });
        const ok = ((await t.post('/scheduler/filter', namesArgs(pod, names))).json as { NodeNames: string[] | null }).NodeNames ?? [];
        if (ok.length > 0 && ((await t.post('/scheduler/bind', bindArgs(pod, ok[Math.floor(random() * ok.length)] as string))).json as { Error: string }).Error === '') live.push(uid);
      } else if (r < 0.9) {
        t.sim?.deletePod(live.splice(Math.floor(random() * live.length), 1)[0] as string);
      } else if (removed === null) {
        removed = names[Math.floor(random() * names.length)] as string;
        views.sink.deleteNode(removed);
      } else {
        views.sink.upsertNode(nodes.find((n) => n.metadata?.name === removed) as never);
        removed = null;
      }
      if (random() < 0.5) continue; // sometimes several changes between two reads
      const fresh = views.fleet.totals(t.server.cache.snapshot().nodes.values());
      const kept = views.totals.totals();
      expect(kept.nodes).toBe(fresh.nodes);
      expect(kept.gpus).toBe(fresh.gpus);
      for (const k of ['allocated', 'idle', 'stranded', 'allocatedCostPerHour'] as const) expect(kept[k], `${k} at step ${step}`).toBeCloseTo(fresh[k], 9);
      expect(kept.groups.map((g) => [g.product, g.capacityType, g.nodes, g.gpus])).toEqual(fresh.groups.map((g) => [g.product, g.capacityType, g.nodes, g.gpus]));
    }
    expect(live.length).toBeGreaterThan(5);
  }, 60_000);
});
