/**
 * Extender latency as kube-scheduler sees it: filter then prioritize for one pod, serially, over ONE keep-alive
 * connection (node:http Agent keepAlive, maxSockets 1), at 750 and 5,000 candidate nodes, names-only
 * (nodeCacheCapable: true) and full v1.Node bodies. Prints p50/p99 of the pair; asserts nothing.
 *
 *   npx tsx bench/extender-latency.ts [--quick] [--only 750:names|5000:names|750:full|5000:full]
 *
 * The fleet is the built-in mix scaled up (1/4 H100 NVSwitch, 1/4 A100 PCIe pairs, 1/2 L4 spot) with realistic
 * partial allocations: about half the GPUs held by 1-GPU, 2-GPU and fractional pods bound through the service.
 */
import { Agent, request } from 'node:http';
import { DEFAULT_SCHEDULING_OPTIONS } from '../src/algorithm/scheduling-options.js';
import { DEFAULT_CONFIG } from '../src/config/config-schema.js';
import { createModelParsers } from '../src/server/model-parsers.js';
import { startTesseraServer } from '../src/server/tessera-server.js';
import { SimulatedCluster } from '../src/sim/simulated-cluster.js';
import { fleetNodes, FleetSchema } from '../src/sim/simulated-cluster-fleet.js';
import { kubePod, realisticNode } from '../test/server/kube-fixtures.js';

const quick = process.argv.includes('--quick');

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

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function run(n: number, full: boolean, iterations: number): Promise<void> {
  const nodes = fleetNodes(fleet(n));
  const parsers = createModelParsers();
  const sim = new SimulatedCluster(nodes);
  const server = await startTesseraServer({
    config: { ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0 }, source: sim, options: DEFAULT_SCHEDULING_OPTIONS,
    parseNode: parsers.parseNode, parseAllocation: parsers.parseAllocation, waitForSync: true,
  });
  // Realistic partial allocations, bound through the service itself.
  const random = rng(42);
  const names = nodes.map((x) => x.metadata?.name as string);
  let bound = 0;
  for (let i = 0; i < n * 1.5; i += 1) {
    const node = names[Math.floor(random() * names.length)] as string;
    const r = random();
    const requests: Record<string, string> = r < 0.5 ? { 'nvidia.com/gpu': '1' } : r < 0.7 ? { 'nvidia.com/gpu': '2' } : { 'tessera.io/gpu-memory': '8192', 'tessera.io/gpu-compute': '250' };
    const pod = kubePod({ name: `seed-${i}`, uid: `seed-${i}`, requests, annotations: { 'tessera.io/interruptible': 'true' } });
    const args = { Pod: pod, Nodes: null, NodeNames: [node] } as never;
    if ((server.service.filter(args).NodeNames ?? []).length === 0) continue;
    const b = await server.service.bind({ PodName: `seed-${i}`, PodNamespace: 'default', PodUID: `seed-${i}`, Node: node });
    if (b.Error === '') bound += 1;
  }
  const nodesJson = full ? JSON.stringify({ metadata: {}, items: nodes.map((x) => realisticNode(x as Record<string, unknown>)) }) : '';
  const namesJson = JSON.stringify(names);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (path: string, body: string): Promise<string> => new Promise((resolve, reject) => {
    const req = request(`${server.url}/scheduler/${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  const samples: number[] = [];
  const warmup = Math.max(5, Math.floor(iterations / 10));
  let feasible = 0;
  let bodyBytes = 0;
  for (let i = 0; i < warmup + iterations; i += 1) {
    const pod = JSON.stringify(kubePod({
      name: `bench-${i}`, uid: `bench-${i}`, requests: { 'nvidia.com/gpu': '1' }, annotations: { 'tessera.io/interruptible': 'true' },
    }));
    const body = full ? `{"Pod":${pod},"Nodes":${nodesJson},"NodeNames":null}` : `{"Pod":${pod},"Nodes":null,"NodeNames":${namesJson}}`;
    bodyBytes = Buffer.byteLength(body);
    const t0 = process.hrtime.bigint();
    const f = await post('filter', body);
    // kube-scheduler prioritizes the nodes that passed filter: the same envelope with the survivors.
    const survivors = full ? /"Nodes":(\{.*\}),"NodeNames":null,"FailedNodes"/s.exec(f)?.[1] : /"NodeNames":(\[[^\]]*\])/.exec(f)?.[1];
    if (survivors === undefined) throw new Error(`unexpected filter answer: ${f.slice(0, 200)}`);
    await post('prioritize', full ? `{"Pod":${pod},"Nodes":${survivors},"NodeNames":null}` : `{"Pod":${pod},"Nodes":null,"NodeNames":${survivors}}`);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= warmup) samples.push(ms);
    if (i === 0) {
      const parsed = JSON.parse(f) as { NodeNames: string[] | null; Nodes: { items: unknown[] } | null };
      feasible = parsed.NodeNames?.length ?? parsed.Nodes?.items.length ?? 0;
    }
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  console.log(`${String(n).padStart(5)} nodes  ${full ? 'full nodes ' : 'names-only '}  body ${(bodyBytes / 1024 / 1024).toFixed(2).padStart(7)} MiB  ` +
    `feasible ${String(feasible).padStart(4)}  seeded pods ${bound}  n=${samples.length}  ` +
    `filter+prioritize p50 ${percentile(samples, 50).toFixed(2)} ms  p99 ${percentile(samples, 99).toFixed(2)} ms  mean ${mean.toFixed(2)} ms`);
  // Server-side time (request read to response written), from the service's own histogram.
  const hist = await server.metrics.requestDuration.get();
  const serverMs = (verb: string): string => {
    const sum = hist.values.find((v) => v.metricName?.endsWith('_sum') && v.labels.verb === verb && v.labels.code === '200')?.value ?? NaN;
    const count = hist.values.find((v) => v.metricName?.endsWith('_count') && v.labels.verb === verb && v.labels.code === '200')?.value ?? NaN;
    return ((sum / count) * 1000).toFixed(2);
  };
  console.log(`${' '.repeat(19)}server-side mean incl. warm-up: filter ${serverMs('filter')} ms, prioritize ${serverMs('prioritize')} ms`);
  agent.destroy();
  await server.close(100);
}

/** `--only 5000:names` runs one case (sizes 750/5000, modes names/full). */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const cases: [number, boolean, number][] = [
  [750, false, quick ? 200 : 2000], [5000, false, quick ? 100 : 1000], [750, true, quick ? 10 : 50], [5000, true, quick ? 3 : 10],
];
console.log(`node ${process.version}, ${quick ? 'quick' : 'full'} run`);
for (const [n, full, iterations] of cases) {
  if (only === undefined || only === `${n}:${full ? 'full' : 'names'}`) await run(n, full, iterations);
}
