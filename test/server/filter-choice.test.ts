import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGpuRequest, type PodLike } from '../../src/model/parse-gpu-request.js';
import { freshExtenderScores } from './fresh-scores.js';
import { bindArgs, kubePod, namesArgs } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

type FilterReply = { NodeNames: string[] | null; FailedNodes: Record<string, string>; FailedAndUnresolvableNodes: Record<string, string>; Error: string };

const ALL = [...[0, 1, 2, 3].map((i) => `h100-${i}`), ...[0, 1, 2, 3].map((i) => `a100-${i}`), ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `l4-${i}`)];
let choice: TestServer;
let feasible: TestServer;

beforeAll(async () => {
  choice = await startTestServer({ config: { filterAnswer: 'choice' } });
  feasible = await startTestServer();
});
afterAll(async () => {
  await choice.close();
  await feasible.close();
});

/** The candidates the core scores 10 afresh on `t`'s current state (the one prioritize would pick). */
function topOf(t: TestServer, pod: object, hosts: readonly string[]): string[] {
  const parsed = parseGpuRequest(pod as PodLike);
  if (!parsed.ok) throw new Error('test pod does not parse');
  const snapshot = t.server.cache.snapshot();
  const scores = freshExtenderScores(t.server.service.engine.prefilter(parsed.value, snapshot), snapshot, hosts);
  return hosts.filter((_, i) => scores[i] === 10);
}

const filter = async (t: TestServer, pod: object, hosts: readonly string[]): Promise<FilterReply> =>
  (await t.post('/scheduler/filter', namesArgs(pod, hosts))).json as FilterReply;

describe('filterAnswer: choice', () => {
  it("answers only the node prioritize would score 10, pod after pod as binds fill the fleet, and binds there as 'feasible' mode would", async () => {
    const shapes: Record<string, string>[] = [
      { 'nvidia.com/gpu': '1' },
      { 'tessera.io/gpu-memory': '10Gi', 'tessera.io/gpu-compute': '250' },
      { 'nvidia.com/gpu': '2' },
    ];
    for (let k = 0; k < 24; k += 1) {
      const pod = kubePod({ name: `c-${String(k)}`, uid: `uid-c-${String(k)}`, requests: shapes[k % shapes.length] ?? {}, annotations: { 'tessera.io/interruptible': 'true' } });
      const top = topOf(choice, pod, ALL);
      expect(top).toHaveLength(1);
      const narrowed = await filter(choice, pod, ALL);
      expect(narrowed).toEqual({ Nodes: null, NodeNames: top, FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: '' });
      // The same state in 'feasible' mode: the choice is among its survivors and scored 10 by its prioritize.
      const all = await filter(feasible, pod, ALL);
      expect(all.NodeNames).toContain(top[0]);
      expect(topOf(feasible, pod, all.NodeNames ?? [])).toEqual(top);
      for (const t of [choice, feasible]) expect((await t.post('/scheduler/bind', bindArgs(pod, top[0] as string))).json).toEqual({ Error: '' });
    }
  });

  it('answers every feasible node to a pod with soft preferences (kube-scheduler must weigh them)', async () => {
    const base = kubePod({ name: 'soft', uid: 'uid-soft', requests: { 'nvidia.com/gpu': '1' }, annotations: { 'tessera.io/interruptible': 'true' } });
    const spec = base['spec'] as Record<string, unknown>;
    const pods = [
      { ...base, spec: { ...spec, affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'x', operator: 'Exists' }] } }] } } } },
      { ...base, spec: { ...spec, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: {} }] } },
    ];
    for (const pod of pods) {
      const a = await filter(choice, pod, ALL);
      const b = await filter(feasible, pod, ALL);
      expect(a.NodeNames?.length).toBeGreaterThan(1);
      expect(a).toEqual(b);
    }
  });

  it('answers a pod that fits nowhere with every node and its reason, as feasible mode does', async () => {
    const pod = kubePod({ name: 'huge', uid: 'uid-huge', requests: { 'nvidia.com/gpu': '16' } });
    const a = await filter(choice, pod, ALL);
    expect(a.NodeNames).toEqual([]);
    expect(Object.keys(a.FailedAndUnresolvableNodes).length + Object.keys(a.FailedNodes).length).toBe(ALL.length);
    expect(a).toEqual(await filter(feasible, pod, ALL));
  });
});
