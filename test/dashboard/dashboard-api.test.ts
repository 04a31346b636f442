import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/harness.js';
import { dashboardFleetNodes, SCENARIO_PODS, schedulePod, UNPLACEABLE_POD } from './dashboard-scenario.js';

/** The dashboard's data endpoints and page over the example fleet with the example workload bound. */

interface StateAnswer {
  version: number; full: boolean; cluster: string; synced: boolean; currency: string;
  fleet: { nodes: number; gpus: number; allocated: number; idle: number; stranded: number; allocatedCostPerHour: number; groups: { product: string; capacityType: string; gpus: number; allocated: number; stranded: number }[] };
  podsHolding: number; nodeColumns: string[]; nodes: (string | number | null)[][]; removed: string[];
  pendingTotal: number; pendingVersion: number; pending: { namespace: string; name: string; message: string; reports: number }[] | null;
}

let t: TestServer;
const placed = new Map<string, string>();
/** What each example pod holds in GPU-equivalents (docs/dashboard.md). */
const GPU_EQUIVALENTS: Record<string, number> = {
  'team-a/train-0': 4, 'team-a/train-1': 2, 'team-b/infer-0': 0.25, 'team-b/infer-1': 0.5,
  'team-c/notebook-0': 0.5, 'team-c/notebook-1': 0.125, 'team-d/batch-0': 0.5,
};
const names = dashboardFleetNodes().map((n) => n.metadata?.name as string);

beforeAll(async () => {
  t = await startTestServer({ nodes: dashboardFleetNodes() });
  for (const p of SCENARIO_PODS) placed.set(`${p.namespace}/${p.name}`, (await schedulePod(t, p, names)) as string);
  expect(await schedulePod(t, UNPLACEABLE_POD, names)).toBeNull();
});
afterAll(async () => {
  await t.close();
});

const state = async (query = ''): Promise<StateAnswer> => {
  const r = await t.get(`/api/v1/dashboard/state${query}`);
  expect(r.status, r.text).toBe(200);
  return r.json as StateAnswer;
};

describe('GET /api/v1/dashboard/state', () => {
  it('lists every node by name with its figures, and the fleet by product and capacity type', async () => {
    const s = await state();
    expect(s).toMatchObject({ full: true, cluster: 'sim', synced: true, currency: 'USD', removed: [] });
    expect(s.nodeColumns).toEqual(['name', 'product', 'gpus', 'spot', 'pricePerGpu', 'allocated', 'stranded', 'pods']);
    expect(s.nodes.map((r) => r[0])).toEqual([...names].sort());
    expect(s.fleet.nodes).toBe(8);
    expect(s.fleet.gpus).toBe(56);
    expect(s.fleet.groups.map((g) => `${g.product}/${g.capacityType}/${g.gpus}`)).toEqual(['A100-80GB/on-demand/8', 'H100-80GB/on-demand/24', 'L4/spot/24']);
    const l4 = s.nodes.find((r) => r[0] === placed.get('team-d/batch-0'));
    expect(l4?.slice(1, 5)).toEqual(['L4', 8, 1, 0.575]);
  });

  it('counts allocated GPUs as the sum of the pods\' GPU-equivalents (4 + 2 + 0.25 + 0.5 + 0.5 + 0.125 + 0.5)', async () => {
    const s = await state();
    expect(s.fleet.allocated).toBe(7.875);
    expect(s.podsHolding).toBe(7);
    const perNode = new Map(s.nodes.map((r) => [r[0], r[5]]));
    expect(perNode.get(placed.get('team-a/train-0'))).toBe(4);
    // Each node's figure is the sum of what its pods hold, wherever the placement put them.
    const expected = new Map<string, number>();
    for (const [pod, gpuEq] of Object.entries(GPU_EQUIVALENTS)) {
      const node = placed.get(pod) as string;
      expected.set(node, (expected.get(node) ?? 0) + gpuEq);
    }
    for (const [node, gpuEq] of expected) expect(perNode.get(node), node).toBeCloseTo(gpuEq, 9);
    expect(s.fleet.stranded).toBeGreaterThan(0);
    expect(s.fleet.stranded).toBeLessThanOrEqual(s.fleet.idle);
    const pricePerGpu = new Map(s.nodes.map((r) => [r[0], r[4] as number]));
    const cost = [...expected].reduce((sum, [node, gpuEq]) => sum + gpuEq * (pricePerGpu.get(node) ?? 0), 0);
    expect(s.fleet.allocatedCostPerHour).toBeCloseTo(cost, 3);
  });

  it('lists the pod filter found no node for, with filter\'s reasons', async () => {
    const s = await state();
    expect(s.pendingTotal).toBe(1);
    expect(s.pending?.[0]).toMatchObject({ namespace: 'team-e', name: 'big-train', reports: 1 });
    expect(s.pending?.[0]?.message).toMatch(/^0\/8 nodes are available: .*GPU model not allowed/);
  });

  it('leaves the pending pods out while they are unchanged since the version the page has', async () => {
    const s = await state();
    const same = await state(`?pending=${s.pendingVersion}`);
    expect(same.pending).toBeNull();
    expect(same.pendingTotal).toBe(1);
    expect((await state(`?pending=${s.pendingVersion - 1}`)).pending).toHaveLength(1);
  });

  it('answers only the nodes changed since the version the page has', async () => {
    const before = await state();
    const same = await state(`?since=${before.version}`);
    expect(same).toMatchObject({ version: before.version, full: false, nodes: [], removed: [] });
    const extra = { namespace: 'team-b', name: 'infer-2', uid: '3b0e7c52-1a4f-4d8e-9c61-0000000000b3', requests: { 'tessera.io/gpu-memory': '8Gi', 'tessera.io/gpu-compute': '100' } };
    const node = await schedulePod(t, extra, names);
    const after = await state(`?since=${before.version}`);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.full).toBe(false);
    expect(after.nodes.map((r) => r[0])).toEqual([node]);
    expect(t.sim?.deletePod(extra.uid)).toBe(true);
  });

  it('answers everything again for a version from before a restart (larger than the current one)', async () => {
    const s = await state('?since=999999999');
    expect(s.full).toBe(true);
    expect(s.nodes).toHaveLength(8);
  });
});

describe('GET /api/v1/dashboard/nodes/<name>', () => {
  it('gives the GPUs, links and the pods with their devices and GPU-equivalents', async () => {
    const name = placed.get('team-b/infer-0') as string;
    const r = await t.get(`/api/v1/dashboard/nodes/${name}`);
    expect(r.status).toBe(200);
    const d = r.json as { name: string; gpus: { index: number }[]; links: string[][]; pods: { namespace: string; name: string; gpuEquivalents: number; allocation: { devices: { gpuIndex: number; kind: string }[] } }[]; summary: { allocated: number } };
    expect(d.name).toBe(name);
    expect(d.gpus).toHaveLength(4);
    expect(d.links[0]).toEqual(['X', 'NV12', 'SYS', 'SYS']);
    const pods = Object.fromEntries(d.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
    expect(pods['team-b/infer-0']?.gpuEquivalents).toBe(0.25);
    const here = Object.keys(GPU_EQUIVALENTS).filter((p) => placed.get(p) === name);
    expect(Object.keys(pods).sort()).toEqual(here.sort());
    for (const p of here) expect(pods[p]?.gpuEquivalents).toBe(GPU_EQUIVALENTS[p]);
    if (pods['team-a/train-1'] !== undefined) expect(pods['team-a/train-1'].allocation.devices.map((x) => x.kind)).toEqual(['whole', 'whole']);
    expect(d.summary.allocated).toBeCloseTo(here.reduce((sum, p) => sum + (GPU_EQUIVALENTS[p] ?? 0), 0), 9);
  });

  it('answers 404 for a node Tessera does not know, and 400 for a name that is not valid percent-encoding', async () => {
    const missing = await t.get('/api/v1/dashboard/nodes/ghost');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ Code: 'TESSERA_NOT_FOUND', Error: 'no node "ghost" in Tessera\'s cluster cache' });
    const bad = await t.get('/api/v1/dashboard/nodes/%E0%A4%A');
    expect(bad.status).toBe(400);
  });
});

describe('GET /api/v1/dashboard/history', () => {
  it('gives the fleet over time ending now and cost per hour by namespace', async () => {
    const r = await t.get('/api/v1/dashboard/history?window=15m');
    expect(r.status).toBe(200);
    const h = r.json as { window: number; fleet: { t: number[]; allocated: number[]; stranded: number[] }; cost: { step: number; t: number[]; namespaces: string[]; perHour: number[][] } };
    expect(h.window).toBe(900);
    expect(h.fleet.t.length).toBeGreaterThanOrEqual(2);
    expect(h.fleet.allocated.at(-1)).toBe(7.875);
    expect(h.cost.step).toBe(15);
    expect([...h.cost.namespaces].sort()).toEqual(['team-a', 'team-b', 'team-c', 'team-d']);
    for (const series of h.cost.perHour) expect(series).toHaveLength(h.cost.t.length);
  });
});

describe('bad requests to the dashboard API', () => {
  it.each([
    ['/api/v1/dashboard/state?since=abc', 400, /since must be a cache version \(a whole number\), got "abc"/],
    ['/api/v1/dashboard/state?version=1', 400, /unknown query parameter "version": expected since, pending/],
    ['/api/v1/dashboard/state?pending=-1', 400, /pending must be a pending-pods version \(a whole number\), got "-1"/],
    ['/api/v1/dashboard/state?since=1&since=2', 400, /"since" is given more than once/],
    ['/api/v1/dashboard/history?window=0m', 400, /window: cannot read "0m" as a duration/],
    ['/api/v1/dashboard/history?window=90d', 400, /window must be between 1m and 35d, got "90d"/],
    ['/api/v1/dashboard/nodes/a100-0?x=1', 400, /unknown query parameter "x"/],
  ])('GET %s answers %i naming the problem', async (path, status, message) => {
    const r = await t.get(path);
    expect(r.status).toBe(status);
    expect((r.json as { Error: string; Code: string }).Code).toBe('TESSERA_BAD_REQUEST');
    expect((r.json as { Error: string }).Error).toMatch(message);
  });

  it('refuses other methods with 405 and Allow', async () => {
    const r = await t.send('POST', '/api/v1/dashboard/state', '{}');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD');
    const page = await t.send('DELETE', '/dashboard/');
    expect(page.status).toBe(405);
  });
});

describe('the page', () => {
  it('redirects /dashboard to /dashboard/ and serves index.html with a CSP that allows only its own import map', async () => {
    const r = await t.get('/dashboard?x=1');
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe('/dashboard/?x=1');
    const page = await t.get('/dashboard/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(page.text)?.[1] as string;
    const hash = createHash('sha256').update(map).digest('base64');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe|https?:/);
  });

  it('serves every module the import map and the page name, the libraries from the installed packages', async () => {
    const page = await t.get('/dashboard/');
    const map = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(page.text)?.[1] as string) as { imports: Record<string, string> };
    const urls = [...Object.values(map.imports), ...[...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string)].filter((u) => !u.startsWith('data:'));
    expect(urls).toContain('./vendor/uPlot.esm.js');
    for (const u of urls) {
      const r = await t.get(`/dashboard/${u.replace(/^\.\//, '')}`);
      expect(r.status, u).toBe(200);
      expect(r.headers['content-type'], u).toMatch(/^text\/(javascript|css)/);
      expect(r.text, u).not.toMatch(/https?:\/\/(cdn|unpkg|esm\.sh|jsdelivr)/);
    }
  });

  it('answers 304 to a matching ETag, no body to HEAD, and 404 for files it does not have', async () => {
    const first = await t.get('/dashboard/app.js');
    const etag = String(first.headers.etag);
    expect((await t.send('GET', '/dashboard/app.js', undefined, { 'if-none-match': etag })).status).toBe(304);
    const head = await t.send('HEAD', '/dashboard/app.js');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    for (const path of ['/dashboard/nope.js', '/dashboard/vendor/../../package.json', '/dashboard/%2e%2e/package.json', '/dashboard/vendor/preact.js']) {
      expect((await t.get(path)).status, path).toBe(404);
    }
  });
});

describe('GET /metrics (showback and process)', () => {
  it('has each pod\'s GPU-equivalents by node, the nodes\' GPU-hour prices, stranded GPUs and the process metrics', async () => {
    const text = (await t.get('/metrics')).text;
    const a100 = placed.get('team-b/infer-0') as string;
    expect(text).toContain(`tessera_pod_gpu_allocation{namespace="team-b",pod="infer-0",node="${a100}"} 0.25`);
    expect(text).toContain(`tessera_pod_gpu_allocation{namespace="team-a",pod="train-0",node="${placed.get('team-a/train-0')}"} 4`);
    expect(text).toContain(`tessera_node_gpu_hourly_cost{node="${a100}"} 3.6725`);
    expect(text).toMatch(/^tessera_gpus_stranded\{product="L4",capacity_type="spot"\} [\d.]+$/m);
    expect(text).not.toMatch(/^container_gpu_allocation/m);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(text).toMatch(new RegExp(`^${name} `, 'm'));
    }
  });

  it('drops a pod from the allocation series once it is deleted', async () => {
    // (the last test of the file: the figures above count notebook-1)
    const uid = SCENARIO_PODS.find((x) => x.name === 'notebook-1')?.uid as string;
    expect((await t.get('/metrics')).text).toContain('pod="notebook-1"');
    expect(t.sim?.deletePod(uid)).toBe(true);
    expect((await t.get('/metrics')).text).not.toContain('pod="notebook-1"');
  });
});
