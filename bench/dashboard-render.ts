/**
 * The dashboard at fleet scale, in Debian's headless chromium (scripts/browser/install-chromium.sh installs it):
 *
 *   npx tsx bench/dashboard-render.ts [--nodes 500,5000] [--rounds 5] [--updates 20]
 *
 * For each fleet size (the built-in mix scaled up: 1/4 H100 NVSwitch, 1/4 A100 bridge pairs, 1/2 spot L4; about
 * 1.5 pods per node bound through the extender service, in 20 namespaces; 200 pods pending) it starts Tessera in
 * this process and measures, side by side:
 * - the server: time and size of the dashboard's state answer (full and delta) and of one node's drawing;
 * - first render: a fresh page from navigation start to the whole fleet on screen (`tesseraFirstRenderMs`), over
 *   `--rounds` page loads;
 * - update: a pod bound through the API while the page is open (no reload): the page's own fetch, DOM commit and
 *   painted-frame times for that version, and the wall time from the bind to the page showing it (includes the
 *   page's 1 s poll interval);
 * - interaction: clicking a node until its drawing is in the DOM (timed in the page, and as the driver sees it),
 *   and scrolling the node table 2,000 rows down until those rows are there.
 * Long tasks (> 50 ms on the page's main thread) are counted over the whole update phase. Prints, never asserts.
 */
import { Agent, request } from 'node:http';
import { DEFAULT_SCHEDULING_OPTIONS } from '../src/algorithm/scheduling-options.js';
import { DEFAULT_CONFIG } from '../src/config/config-schema.js';
import { createModelParsers } from '../src/server/model-parsers.js';
import { startTesseraServer, type TesseraServer } from '../src/server/tessera-server.js';
import { SimulatedCluster } from '../src/sim/simulated-cluster.js';
import { fleetNodes, FleetSchema } from '../src/sim/simulated-cluster-fleet.js';
import { installChromium, launchChromium, type HeadlessChromium } from '../test/dashboard/headless-chromium.js';
import { kubePod } from '../test/server/kube-fixtures.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => (argv.includes(name) ? (argv[argv.indexOf(name) + 1] ?? fallback) : fallback);
const sizes = flag('--nodes', '500,5000').split(',').map(Number);
const rounds = Number(flag('--rounds', '5'));
const updates = Number(flag('--updates', '20'));

function fleet(n: number): ReturnType<typeof FleetSchema.parse> {
  const q = Math.round(n / 4);
  return FleetSchema.parse({
    apiVersion: 'tessera.io/v1alpha1', kind: 'SimulatedFleet',
    pools: [
      { name: 'h100', count: q, gpuProduct: 'NVIDIA-H100-80GB-HBM3', gpuCount: 8, topologyPreset: 'hgx-h100-8x-sxm', instanceType: 'p5.48xlarge', hourlyPrice: 98.32 },
      { name: 'a100', count: q, gpuProduct: 'NVIDIA-A100-80GB-PCIe', gpuCount: 4, topologyPreset: 'a100-pcie-4x-bridge-pairs', hourlyPrice: 14.69 },
      { name: 'l4', count: n - 2 * q, gpuProduct: 'NVIDIA-L4', gpuCount: 8, topologyPreset: 'l4-8x-pcie-2socket', capacityType: 'spot', hourlyPrice: 4.6 },
    ],
  });
}

/** Deterministic rng (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mixedRequests(r: number): Record<string, string> {
  if (r < 0.5) return { 'nvidia.com/gpu': '1' };
  if (r < 0.7) return { 'nvidia.com/gpu': '2' };
  return { 'tessera.io/gpu-memory': '8192', 'tessera.io/gpu-compute': '250' };
}

function percentile(list: readonly number[], p: number): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const ms = (x: number): string => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** GET in this process over one keep-alive connection: milliseconds to the last byte, and the body's size. */
function timedGet(url: string): Promise<{ ms: number; bytes: number; body: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ ms: performance.now() - t0, bytes: body.length, body: body.toString('utf8') });
      });
    }).on('error', reject).end();
  });
}

async function seed(n: number): Promise<{ server: TesseraServer; sim: SimulatedCluster; names: string[]; bound: number }> {
  const nodes = fleetNodes(fleet(n));
  const parsers = createModelParsers();
  const sim = new SimulatedCluster(nodes);
  const server = await startTesseraServer({
    config: { ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, opsPort: 0, opsHost: '127.0.0.1' }, source: sim, options: DEFAULT_SCHEDULING_OPTIONS,
    parseNode: parsers.parseNode, parseAllocation: parsers.parseAllocation, waitForSync: true, historyIntervalMs: 0,
  });
  const random = rng(42);
  const names = nodes.map((x) => x.metadata?.name as string);
  let bound = 0;
  for (let i = 0; i < n * 1.5; i += 1) {
    const node = names[Math.floor(random() * names.length)] as string;
    const namespace = `team-${Math.floor(random() * 20)}`;
    const pod = kubePod({ name: `seed-${i}`, namespace, uid: `seed-${i}`, requests: mixedRequests(random()), annotations: { 'tessera.io/interruptible': 'true' } });
    if ((server.service.filter({ Pod: pod, Nodes: null, NodeNames: [node] } as never).NodeNames ?? []).length === 0) continue;
    const b = await server.service.bind({ PodName: `seed-${i}`, PodNamespace: namespace, PodUID: `seed-${i}`, Node: node });
    if (b.Error === '') bound += 1;
  }
  // Pending pods: 16 A100s fit nowhere.
  for (let i = 0; i < 200; i += 1) {
    const pod = kubePod({ name: `wait-${i}`, namespace: 'team-x', uid: `wait-${i}`, requests: { 'nvidia.com/gpu': '16' } });
    server.service.filter({ Pod: pod, Nodes: null, NodeNames: names.slice(0, 50) } as never);
  }
  server.views.sample();
  return { server, sim, names, bound };
}

interface Figures {
  n: number;
  bound: number;
  stateFull: { ms: number; bytes: number };
  stateDelta: { ms: number; bytes: number };
  nodeDetail: { ms: number; bytes: number };
  firstRender: number[];
  updateFetch: number[];
  updateRender: number[];
  updatePaint: number[];
  bindToVisible: number[];
  select: number[];
  selectInPage: number[];
  scroll: number[];
  longTasks: number[];
}

async function measure(n: number, chromium: string): Promise<Figures> {
  const { server, names, bound } = await seed(n);
  const url = server.opsUrl; // the dashboard is on the ops port
  const fig: Figures = {
    n, bound, stateFull: { ms: 0, bytes: 0 }, stateDelta: { ms: 0, bytes: 0 }, nodeDetail: { ms: 0, bytes: 0 },
    firstRender: [], updateFetch: [], updateRender: [], updatePaint: [], bindToVisible: [], select: [], selectInPage: [], scroll: [], longTasks: [],
  };
  // Server side: warm twice, then the median of 20. The delta is the page's steady poll: one node changed, pending unchanged.
  const full: number[] = [];
  const delta: number[] = [];
  const detail: number[] = [];
  for (let i = 0; i < 22; i += 1) {
    const f = await timedGet(`${url}/api/v1/dashboard/state`);
    const { version, pendingVersion } = JSON.parse(f.body) as { version: number; pendingVersion: number };
    const d = await timedGet(`${url}/api/v1/dashboard/state?since=${version - 1}&pending=${pendingVersion}`);
    const nd = await timedGet(`${url}/api/v1/dashboard/nodes/${names[0]}`);
    if (i < 2) continue;
    full.push(f.ms);
    delta.push(d.ms);
    detail.push(nd.ms);
    fig.stateFull.bytes = f.bytes;
    fig.stateDelta.bytes = d.bytes;
    fig.nodeDetail.bytes = nd.bytes;
  }
  fig.stateFull.ms = percentile(full, 50);
  fig.stateDelta.ms = percentile(delta, 50);
  fig.nodeDetail.ms = percentile(detail, 50);

  let browser: HeadlessChromium | null = null;
  try {
    for (let r = 0; r < rounds; r += 1) {
      browser = await launchChromium(chromium, 1600, 1200);
      const page = browser.page;
      await page.addInitScript(() => {
        // Browser globals, typed loosely: this file is type-checked without the DOM library.
        type Observer = new (cb: (list: { getEntries(): { duration: number }[] }) => void) => { observe(o: { type: string; buffered: boolean }): void };
        const g = globalThis as unknown as { longTasks: number[]; PerformanceObserver: Observer };
        g.longTasks = [];
        new g.PerformanceObserver((list) => { for (const e of list.getEntries()) g.longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
      });
      await page.goto(`${url}/dashboard/`);
      await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
      fig.firstRender.push(await page.evaluate(() => (globalThis as unknown as { tesseraFirstRenderMs: number }).tesseraFirstRenderMs));
      if (r !== rounds - 1) {
        await browser.close();
        browser = null;
        continue;
      }
      // Updates on the last page: bind a pod, wait until the page shows its version.
      await page.waitForTimeout(1500);
      await page.evaluate(() => { (globalThis as unknown as { longTasks: number[] }).longTasks.length = 0; });
      const random = rng(7);
      for (let u = 0; u < updates; u += 1) {
        const node = names[Math.floor(random() * names.length)] as string;
        const pod = kubePod({ name: `live-${u}`, namespace: 'team-live', uid: `live-${n}-${u}`, requests: { 'tessera.io/gpu-memory': '4096', 'tessera.io/gpu-compute': '100' }, annotations: { 'tessera.io/interruptible': 'true' } });
        if ((server.service.filter({ Pod: pod, Nodes: null, NodeNames: [node] } as never).NodeNames ?? []).length === 0) continue;
        const t0 = performance.now();
        const b = await server.service.bind({ PodName: `live-${u}`, PodNamespace: 'team-live', PodUID: `live-${n}-${u}`, Node: node });
        if (b.Error !== '') continue;
        const version = server.cache.version;
        await page.waitForFunction((v) => Number((globalThis as unknown as { document: { documentElement: { dataset: { version?: string } } } }).document.documentElement.dataset.version) >= v, version, { timeout: 10_000, polling: 'raf' });
        fig.bindToVisible.push(performance.now() - t0);
        await page.waitForTimeout(200 + Math.floor(random() * 500));
      }
      const timings = await page.evaluate(() => (globalThis as unknown as { tesseraTimings: { full: boolean; fetchMs: number; renderMs: number; paintMs: number | null }[] }).tesseraTimings);
      for (const t of timings.filter((x) => !x.full)) {
        fig.updateFetch.push(t.fetchMs);
        fig.updateRender.push(t.renderMs);
        if (t.paintMs !== null) fig.updatePaint.push(t.paintMs);
      }
      fig.longTasks = await page.evaluate(() => (globalThis as unknown as { longTasks: number[] }).longTasks);
      // Interaction: select nodes; scroll the virtualised table.
      for (let k = 0; k < 5; k += 1) {
        const name = [...names].sort()[k * 3] as string;
        const t0 = performance.now();
        await page.click(`[data-viewport="nodes"] [data-node="${name}"]`);
        await page.waitForSelector(`[data-drawing="${name}"]`, { timeout: 10_000 });
        fig.select.push(performance.now() - t0);
      }
      fig.selectInPage = await page.evaluate(() => (globalThis as unknown as { tesseraSelectTimings: number[] }).tesseraSelectTimings);
      const sorted = [...names].sort();
      for (const row of [2000, 4000, 100].filter((x) => x < sorted.length)) {
        const t0 = performance.now();
        await page.evaluate((top) => {
          const el = (globalThis as unknown as { document: { querySelector(s: string): { scrollTop: number } } }).document.querySelector('[data-viewport="nodes"]');
          el.scrollTop = top;
        }, row * 28);
        await page.waitForSelector(`[data-viewport="nodes"] [data-node="${sorted[row]}"]`, { timeout: 10_000 });
        fig.scroll.push(performance.now() - t0);
      }
    }
  } finally {
    await browser?.close();
    await server.close(100);
  }
  return fig;
}

const chromium = installChromium();
const results: Figures[] = [];
for (const n of sizes) {
  const f = await measure(n, chromium);
  results.push(f);
  const p = (list: number[]): string => (list.length === 0 ? 'n/a' : `p50 ${ms(percentile(list, 50))}, p99 ${ms(percentile(list, 99))}, max ${ms(Math.max(...list))} (${list.length})`);
  console.log(`\n== ${n} nodes, ${f.bound} pods bound, 200 pending ==`);
  console.log(`server: state full ${ms(f.stateFull.ms)} (${(f.stateFull.bytes / 1024).toFixed(0)} KiB), state delta ${ms(f.stateDelta.ms)} (${f.stateDelta.bytes} B), node drawing ${ms(f.nodeDetail.ms)} (${(f.nodeDetail.bytes / 1024).toFixed(1)} KiB)`);
  console.log(`first render (navigation start to the fleet on screen): ${p(f.firstRender)}`);
  console.log(`update, page fetch+parse: ${p(f.updateFetch)}`);
  console.log(`update, DOM committed after the answer: ${p(f.updateRender)}`);
  console.log(`update, frame painted after the answer: ${p(f.updatePaint)}`);
  console.log(`update, bind to the page showing it (1 s poll included): ${p(f.bindToVisible)}`);
  console.log(`select a node: click to its drawing in the DOM, in the page: ${p(f.selectInPage)}; as the driver sees it (click actionability checks included): ${p(f.select)}`);
  console.log(`scroll the node table until the rows are on screen: ${p(f.scroll)}`);
  console.log(`long tasks during updates: ${f.longTasks.length}${f.longTasks.length > 0 ? `, longest ${ms(Math.max(...f.longTasks))}` : ''}`);
}
if (results.length === 2) {
  const [a, b] = results as [Figures, Figures];
  const ratio = (x: number[], y: number[]): string => (percentile(y, 50) / percentile(x, 50)).toFixed(2);
  console.log(`\n${b.n} / ${a.n} nodes (p50 ratios, same run): first render ${ratio(a.firstRender, b.firstRender)}x, update paint ${ratio(a.updatePaint, b.updatePaint)}x, select ${ratio(a.select, b.select)}x, state full ${(b.stateFull.ms / a.stateFull.ms).toFixed(2)}x`);
}
