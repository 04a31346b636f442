/**
 * Preemption end to end with a real kube-apiserver, etcd, kube-scheduler 1.35.4 (deploy/'s configuration) and KWOK:
 * higher-priority pods take GPUs from lower-priority ones, whole GPUs through kube-scheduler's own preemption (the
 * advertised totals are used up, so its dry run finds victims and asks Tessera's preempt verb which), fractional
 * shares and MIG slices through Tessera's own (the totals still fit, so kube-scheduler finds no victim). An
 * independent checker reads the pods' annotations: the victims were the cheapest possible on the node used, that
 * node was the cheapest, and no GPU was over-committed in any sample taken during the test.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { quantityValue } from '../../src/model/advertised-capacity.js';
import { applyObjects } from './harness/components.js';
import { allocationViolations, fleetNodeObject, gpuPod, type FleetNode } from './harness/gpu-fleet.js';
import { logExcerpt, withExcerpt } from './harness/log-excerpt.js';
import { waitFor } from './harness/managed-process.js';
import { cheapestVictims, type Need, OvercommitSampler, podsOnNode } from './harness/preemption-check.js';
import { startTesseraStack, type TesseraStack } from './harness/tessera-stack.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const h100 = { product: 'NVIDIA-H100-80GB-HBM3', gpus: 8, gpuMemoryMiB: 81559, preset: 'hgx-h100-8x-sxm', nvlinkIslands: [range(8)], spot: false, hourlyPrice: 98.32, sharing: 'exclusive' };
const FLEET: FleetNode[] = [
  { name: 'whole-0', ...h100 },
  { name: 'whole-1', ...h100 },
  { name: 'frac-0', product: 'NVIDIA-A100-PCIE-80GB', gpus: 4, gpuMemoryMiB: 81920, preset: 'a100-pcie-4x-bridge-pairs', nvlinkIslands: [[0, 1], [2, 3]], spot: false, hourlyPrice: 16.4, sharing: null },
  { name: 'mig-0', product: 'NVIDIA-A100-SXM4-80GB', gpus: 2, gpuMemoryMiB: 81920, preset: null, nvlinkIslands: [], spot: false, hourlyPrice: 8.2, sharing: 'mig:dynamic' },
];
const byName = new Map(FLEET.map((n) => [n.name, n]));
/** Whole-GPU pods of these tests go to the H100 nodes only (the fractional node takes whole GPUs too). */
const H100_ONLY = { 'tessera.io/gpu-model': 'H100' };
/** Priority classes of the test: p100 .. p400 for the pods already running, p1000 for the preemptors. */
const CLASSES = [100, 200, 300, 400, 1000];

let stack: TesseraStack | null = null;
let sampler: OvercommitSampler | null = null;

beforeAll(async () => {
  stack = await startTesseraStack('preempt', FLEET.map(fleetNodeObject));
  await applyObjects(stack.kc, [
    ...CLASSES.map((value) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: `p${String(value)}` }, value })),
    { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p1000-never' }, value: 1000, preemptionPolicy: 'Never' },
  ] as never[]);
  // Tessera advertises the GPU totals itself (config nodeCapacity: publish): wait for the fractional node's.
  const core = stack.core;
  await waitFor('Tessera to advertise the fractional node\'s GPU totals', async () => {
    const node = await core.readNode({ name: 'frac-0' });
    // The API server writes quantities in canonical form (327680Mi reads back as 320Gi).
    return quantityValue(node.status?.capacity?.['tessera.io/gpu-memory']) === 4 * 81920 * 1024 * 1024;
  }, { timeoutMs: 60_000, intervalMs: 500 });
}, 30 * 60_000);

/** Namespaces the tests use; emptied after each test so the next one starts from an idle fleet. */
const NAMESPACES = ['e2e-preempt-whole', 'e2e-preempt-frac', 'e2e-preempt-mig', 'e2e-preempt-none'];

afterEach(async () => {
  await sampler?.stop();
  sampler = null;
  if (stack === null) return;
  const core = stack.core;
  for (const namespace of NAMESPACES) {
    if ((await core.listNamespacedPod({ namespace })).items.length === 0) continue;
    await core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 });
    await waitFor(`pods of ${namespace} to be deleted`, async () => (await core.listNamespacedPod({ namespace })).items.length === 0, { timeoutMs: 120_000, intervalMs: 500 });
  }
}, 300_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

function s(): TesseraStack {
  if (stack === null) throw new Error('the stack did not start');
  return stack;
}

/** A pod of priority class `p<priority>`. */
function pod(ns: string, name: string, priority: number, resources: Record<string, string>, annotations: Record<string, string> = {}): V1Pod {
  const p = gpuPod({ name, namespace: ns, resources, labels: { test: ns }, annotations });
  return { ...p, spec: { ...p.spec, containers: p.spec?.containers ?? [], priorityClassName: `p${String(priority)}` } };
}

/** Tessera's, kube-scheduler's and KWOK's logs (a failing preemption quotes what they said about its namespace). */
function processLogs(): string[] {
  const { tessera, scheduler, kwok } = s();
  return [tessera.current()?.logFile, scheduler.logFile, kwok.logFile].filter((f): f is string => f !== undefined);
}

async function listPods(ns: string): Promise<V1Pod[]> {
  return (await s().core.listNamespacedPod({ namespace: ns })).items;
}

async function createAll(ns: string, pods: readonly V1Pod[]): Promise<void> {
  await applyObjects(s().kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);
  for (const p of pods) await s().core.createNamespacedPod({ namespace: ns, body: p });
}

async function waitBound(ns: string, names: readonly string[], timeoutMs = 120_000): Promise<V1Pod[]> {
  return waitFor(`${names.join(', ')} bound in ${ns}`, async () => {
    const pods = await listPods(ns);
    const bound = pods.filter((p) => names.includes(p.metadata?.name ?? '') && (p.spec?.nodeName ?? '') !== '');
    if (bound.length === names.length) return pods;
    throw new Error(`${String(bound.length)}/${String(names.length)} bound`);
  }, { timeoutMs, intervalMs: 500 });
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${s().tessera.opsUrl}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/**
 * Runs one preemption: `fill` already bound, then `preemptor` (priority 1000) created; returns what the
 * independent checker needs: the pods before, the victims (pods of `before` gone after), the preemptor's node.
 */
async function preempt(ns: string, fill: readonly V1Pod[], preemptor: V1Pod): Promise<{ before: V1Pod[]; victims: string[]; node: string }> {
  await createAll(ns, fill);
  const before = await waitBound(ns, fill.map((p) => p.metadata?.name ?? ''));
  sampler = new OvercommitSampler(s().core, FLEET);
  sampler.start();
  await s().core.createNamespacedPod({ namespace: ns, body: preemptor });
  const name = preemptor.metadata?.name ?? '';
  const after = await waitBound(ns, [name], 180_000).catch((err: unknown) => {
    throw withExcerpt(err, logExcerpt(processLogs(), [ns, '"level":"warn"', '"level":"error"']));
  });
  const node = after.find((p) => p.metadata?.name === name)?.spec?.nodeName ?? '';
  const left = new Set(after.map((p) => p.metadata?.name));
  const victims = before.map((p) => p.metadata?.name ?? '').filter((n) => !left.has(n)).sort();
  const sampled = await sampler.stop();
  sampler = null;
  expect(sampled.samples).toBeGreaterThan(0);
  expect(sampled.violations, 'over-commit seen while preempting').toEqual([]);
  expect(allocationViolations(FLEET, after)).toEqual([]);
  return { before, victims, node };
}

/** The checker's verdict: the victims are a cheapest set on `node`, and no other node had a cheaper one. */
function expectCheapest(before: readonly V1Pod[], victims: readonly string[], node: string, need: Need): void {
  const onNode = podsOnNode(before, node);
  expect(victims.every((v) => onNode.some((p) => p.name === v)), `victims ${victims.join(', ')} all on ${node}`).toBe(true);
  const best = cheapestVictims(byName.get(node) as FleetNode, onNode, 1000, need);
  expect(best, `some victim set frees ${node}`).not.toBeNull();
  expect(best?.sets, `cheapest sets on ${node}`).toContainEqual([...victims].sort());
  for (const other of FLEET.filter((n) => n.name !== node)) {
    const there = cheapestVictims(other, podsOnNode(before, other.name), 1000, need);
    if (there === null || best === null) continue;
    const cheaper = there.cost.count - best.cost.count || there.cost.maxPriority - best.cost.maxPriority || there.cost.prioritySum - best.cost.prioritySum;
    expect(cheaper, `${other.name} would have cost ${JSON.stringify(there.cost)}, ${node} cost ${JSON.stringify(best.cost)}`).toBeGreaterThanOrEqual(0);
  }
}

describe('preemption with a real kube-scheduler', () => {
  it('preempts whole GPUs: kube-scheduler\'s dry run asks Tessera, which evicts the two lowest-priority pods of the cheaper node', async () => {
    const ns = 'e2e-preempt-whole';
    const fill = [
      ...[300, 100, 400, 200, 300, 400, 100, 300].map((p, i) => pod(ns, `a-${String(i)}`, p, { 'nvidia.com/gpu': '1' }, H100_ONLY)),
      ...range(8).map((i) => pod(ns, `b-${String(i)}`, 200, { 'nvidia.com/gpu': '1' }, H100_ONLY)),
    ];
    const before = await metric('tessera_preemptions_total', { path: 'kube-scheduler', result: 'nominated' });
    const r = await preempt(ns, fill, pod(ns, 'urgent', 1000, { 'nvidia.com/gpu': '2' }, H100_ONLY));
    expect(r.victims).toHaveLength(2);
    expectCheapest(r.before, r.victims, r.node, { kind: 'whole', gpus: 2 });
    expect(await metric('tessera_preemptions_total', { path: 'kube-scheduler', result: 'nominated' })).toBeGreaterThan(before);
  }, 10 * 60_000);

  it('preempts fractional shares on a fragmented node (totals fit, no GPU has room): Tessera evicts the one cheapest share', async () => {
    const ns = 'e2e-preempt-frac';
    // 50 GiB each: one per GPU, so 120 GiB of the node's 320 GiB stay free but no GPU has 60 GiB.
    const fill = [300, 100, 400, 200].map((p, i) => pod(ns, `s-${String(i)}`, p, { 'tessera.io/gpu-memory': '50Gi' }));
    const before = await metric('tessera_preemptions_total', { path: 'tessera', result: 'nominated' });
    const r = await preempt(ns, fill, pod(ns, 'urgent', 1000, { 'tessera.io/gpu-memory': '60Gi' }));
    expect(r.node).toBe('frac-0');
    expect(r.victims).toHaveLength(1);
    expectCheapest(r.before, r.victims, r.node, { kind: 'share', memoryMiB: 60 * 1024, computeMilli: 0 });
    expect(await metric('tessera_preemptions_total', { path: 'tessera', result: 'nominated' })).toBeGreaterThan(before);
    const events = (await s().core.listNamespacedEvent({ namespace: ns })).items;
    expect(events.some((e) => e.reason === 'TesseraPreempting' && e.involvedObject.name === 'urgent')).toBe(true);
    expect(events.some((e) => e.reason === 'Preempted' && e.involvedObject.name === r.victims[0])).toBe(true);
  }, 10 * 60_000);

  it('preempts MIG slices: a 7g.80gb pod gets the GPU whose two 3g.40gb instances cost least', async () => {
    const ns = 'e2e-preempt-mig';
    const fill = [300, 100, 400, 200].map((p, i) => pod(ns, `m-${String(i)}`, p, { 'tessera.io/mig-3g.40gb': '1' }));
    const r = await preempt(ns, fill, pod(ns, 'urgent', 1000, { 'tessera.io/mig-7g.80gb': '1' }));
    expect(r.node).toBe('mig-0');
    expect(r.victims).toHaveLength(2);
    expectCheapest(r.before, r.victims, r.node, { kind: 'empty-gpu' });
  }, 10 * 60_000);

  it('never preempts for a pod of equal priority or with preemptionPolicy Never', async () => {
    const ns = 'e2e-preempt-none';
    // The two H100 nodes full of priority-400 pods; 8 GPUs fit only there.
    const fill = range(8).map((i) => pod(ns, `w-${String(i)}`, 400, { 'nvidia.com/gpu': '2' }, H100_ONLY));
    await createAll(ns, fill);
    await waitBound(ns, fill.map((p) => p.metadata?.name ?? ''));
    const equal = pod(ns, 'equal', 400, { 'nvidia.com/gpu': '8' });
    // (8 GPUs fit only on the H100 nodes; the fractional node has 4.)
    const never = gpuPod({ name: 'never', namespace: ns, resources: { 'nvidia.com/gpu': '8' } });
    never.spec = { ...never.spec, containers: never.spec?.containers ?? [], priorityClassName: 'p1000-never' };
    await s().core.createNamespacedPod({ namespace: ns, body: equal });
    await s().core.createNamespacedPod({ namespace: ns, body: never });
    await new Promise((r) => setTimeout(r, 15_000));
    const pods = await listPods(ns);
    expect(pods.filter((p) => (p.spec?.nodeName ?? '') !== '').map((p) => p.metadata?.name).sort()).toEqual(fill.map((p) => p.metadata?.name).sort());
    const created = pods.find((p) => p.metadata?.name === 'never');
    expect(created?.spec?.priority).toBe(1000);
    expect(created?.spec?.preemptionPolicy).toBe('Never');
  }, 5 * 60_000);
});
