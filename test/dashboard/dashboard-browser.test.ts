import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../src/sim/simulated-cluster.js';
import { startTestServer, type TestServer } from '../server/harness.js';
import { bindArgs, namesArgs } from '../server/kube-fixtures.js';
import { dashboardFleetNodes, SCENARIO_PODS, scenarioKubePod, schedulePod, UNPLACEABLE_POD, type ScenarioPod } from './dashboard-scenario.js';
import { installChromium, launchChromium, type HeadlessChromium } from './headless-chromium.js';

/**
 * The dashboard as a person uses it: Debian's chromium (installed by scripts/browser/install-chromium.sh when
 * missing; the test fails if it cannot be) opens /dashboard on the example fleet while pods are bound through
 * the extender API, and the page must show each pod on the GPUs its allocation names, the pending pod with
 * filter's reasons, and changes as they happen without a reload. It also takes the screenshots docs/dashboard.md
 * shows (written to docs/dashboard/ with TESSERA_UPDATE_SCREENSHOTS=1, else to out/dashboard-screenshots/).
 */

const T = Date.parse('2026-11-23T11:00:00Z');
let clock = T;
const now = (): number => clock;
const SHOTS = process.env.TESSERA_UPDATE_SCREENSHOTS === '1' ? 'docs/dashboard' : 'out/dashboard-screenshots';

let t: TestServer;
let browser: HeadlessChromium;
const names = dashboardFleetNodes().map((n) => n.metadata?.name as string);
const placed = new Map<string, string>();

/** Moves the clock to `minutes` after 11:00 and samples the fleet for the history charts. */
function at(minutes: number): void {
  clock = T + minutes * 60_000;
  t.server.views.sample();
}

/** GPU index (as nvidia-smi numbers it) -> pods holding a device there, from the allocation annotations the binds wrote. */
function podsByGpu(node: string): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const pod of (t.sim as SimulatedCluster).boundPods()) {
    if (pod.spec?.nodeName !== node) continue;
    const allocation = JSON.parse(pod.metadata?.annotations?.['tessera.io/allocation'] ?? '{}') as { devices: { index: number }[] };
    for (const d of allocation.devices) {
      const set = out.get(d.index) ?? new Set<string>();
      set.add(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
      out.set(d.index, set);
    }
  }
  return out;
}

/** What the drawing of the selected node shows: GPU index -> pods drawn on it. */
async function drawnPodsByGpu(node: string): Promise<Map<number, Set<string>>> {
  const pairs = await browser.page.$$eval(`[data-drawing="${node}"] g[data-gpu] [data-pod]`, (els) =>
    els.map((e) => [Number(e.closest('g[data-gpu]')?.getAttribute('data-gpu')), e.getAttribute('data-pod') ?? ''] as const));
  const out = new Map<number, Set<string>>();
  for (const [gpu, pod] of pairs) out.set(gpu, (out.get(gpu) ?? new Set()).add(pod));
  return out;
}

async function selectNode(node: string): Promise<void> {
  await browser.page.click(`[data-viewport="nodes"] [data-node="${node}"]`);
  await browser.page.waitForSelector(`[data-drawing="${node}"]`);
}

async function shoot(file: string, selector?: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const png = selector === undefined
    ? await browser.page.screenshot({ fullPage: true, animations: 'disabled' })
    : await browser.page.locator(selector).screenshot({ animations: 'disabled' });
  writeFileSync(`${SHOTS}/${file}`, png);
}

beforeAll(async () => {
  const chromium = installChromium();
  t = await startTestServer({ nodes: dashboardFleetNodes(), now, sim: { now }, historyIntervalMs: 0 });
  at(0);
  const schedule = async (minutes: number, pods: readonly ScenarioPod[]): Promise<void> => {
    at(minutes);
    for (const p of pods) placed.set(`${p.namespace}/${p.name}`, (await schedulePod(t, p, names)) as string);
  };
  const byName = (n: string): ScenarioPod => SCENARIO_PODS.find((p) => p.name === n) as ScenarioPod;
  await schedule(5, [byName('train-0')]);
  await schedule(15, [byName('infer-0'), byName('infer-1')]);
  await schedule(25, [byName('notebook-0'), byName('notebook-1')]);
  await schedule(35, [byName('batch-0')]);
  await schedule(45, [byName('train-1')]);
  at(50);
  expect(await schedulePod(t, UNPLACEABLE_POD, names)).toBeNull();
  at(60);
  browser = await launchChromium(chromium);
}, 20 * 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the dashboard in chromium', () => {
  it('shows the fleet, every node and the pending pod with filter\'s reasons', async () => {
    const page = browser.page;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${t.opsUrl}/dashboard/#node=${placed.get('team-b/infer-0')}`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.waitForSelector('[data-chart="cost"] canvas');
    await page.waitForSelector('[data-chart="fragmentation"] canvas');
    expect(await page.textContent('[data-card="gpus"] .card-value')).toBe('56');
    expect(await page.textContent('[data-card="allocated"] .card-value')).toBe('7.88');
    expect(await page.locator('[data-viewport="nodes"] [data-node]').count()).toBe(8);
    expect(await page.textContent('[data-pending="team-e/big-train"] .reason')).toMatch(/^0\/8 nodes are available: .*GPU model not allowed: pod allows A100/);
    expect(await page.textContent('[data-group="L4/spot"]')).toContain('spot');
    expect(errors).toEqual([]);
    await shoot('overview.png');
  }, 60_000);

  it('draws each pod on exactly the GPUs its allocation names, node by node', async () => {
    for (const node of new Set(placed.values())) {
      await selectNode(node);
      expect(await drawnPodsByGpu(node), node).toEqual(podsByGpu(node));
    }
    // MIG: the 3g.40gb instance takes memory slices 4..7 of its GPU, coloured as its pod
    const mig = placed.get('team-c/notebook-0') as string;
    await selectNode(mig);
    const cells = await browser.page.$$eval('[data-drawing] [data-pod="team-c/notebook-0"][data-cell]', (els) => els.map((e) => Number(e.getAttribute('data-cell'))));
    expect(cells).toEqual([4, 5, 6, 7]);
    await shoot('node-h100-mig.png', 'section.drawing');
    await selectNode(placed.get('team-d/batch-0') as string);
    await shoot('node-l4-time-sliced.png', 'section.drawing');
    await selectNode(placed.get('team-a/train-0') as string);
    await shoot('node-h100-nvswitch.png', 'section.drawing');
    await selectNode(placed.get('team-b/infer-0') as string);
    await shoot('node-a100-shares.png', 'section.drawing');
  }, 60_000);

  it('shows a pod bound through the API, and its deletion, without reloading the page', async () => {
    const page = browser.page;
    const node = placed.get('team-b/infer-0') as string;
    await selectNode(node);
    // A reload would lose this.
    await page.evaluate(() => { (globalThis as unknown as { keptAcrossUpdates: string }).keptAcrossUpdates = 'yes'; });
    const extra: ScenarioPod = { namespace: 'team-f', name: 'embed-0', uid: '3b0e7c52-1a4f-4d8e-9c61-0000000000f1', requests: { 'tessera.io/gpu-memory': '8Gi', 'tessera.io/gpu-compute': '100' } };
    clock = T + 61 * 60_000;
    const pod = scenarioKubePod(extra);
    expect((await t.post('/scheduler/filter', namesArgs(pod, [node]))).json).toMatchObject({ NodeNames: [node] });
    expect((await t.post('/scheduler/bind', bindArgs(pod, node))).json).toEqual({ Error: '' });
    await page.waitForSelector(`[data-drawing="${node}"] [data-pod="team-f/embed-0"]`, { timeout: 10_000 });
    expect(await drawnPodsByGpu(node)).toEqual(podsByGpu(node));
    await expect.poll(() => page.textContent('[data-card="allocated"] .card-value'), { timeout: 10_000 }).not.toBe('7.88');
    expect(await page.textContent(`[data-viewport="nodes"] [data-node="${node}"]`)).toContain('4');
    expect((t.sim as SimulatedCluster).deletePod(extra.uid)).toBe(true);
    await page.waitForSelector(`[data-drawing="${node}"] [data-pod="team-f/embed-0"]`, { state: 'detached', timeout: 10_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { keptAcrossUpdates?: string }).keptAcrossUpdates)).toBe('yes');
    const timings = await page.evaluate(() => (globalThis as unknown as { tesseraTimings: { version: number }[] }).tesseraTimings.length);
    expect(timings).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

describe('the screenshots docs/dashboard.md shows', () => {
  it('are PNGs in docs/dashboard/, taken by this test', () => {
    const doc = readFileSync('docs/dashboard.md', 'utf8');
    const images = [...doc.matchAll(/!\[[^\]]*\]\((dashboard\/[^)]+\.png)\)/g)].map((m) => `docs/${m[1]}`);
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const file of images) {
      expect(existsSync(file), file).toBe(true);
      const png = readFileSync(file);
      expect(png.subarray(1, 4).toString('latin1'), file).toBe('PNG');
      expect(png.readUInt32BE(16), `${file} width`).toBeGreaterThanOrEqual(600);
      expect(existsSync(`${SHOTS}/${file.slice('docs/dashboard/'.length)}`), `${file} is one of this test's screenshots`).toBe(true);
    }
  });
});
