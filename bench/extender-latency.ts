/**
 * Extender latency as kube-scheduler sees it: filter then prioritize for one pod, serially, over ONE keep-alive
 * connection (node:http Agent keepAlive, maxSockets 1), at 750 and 5,000 candidate nodes, names-only
 * (nodeCacheCapable: true) and full v1.Node bodies. Prints p50/p99 of the pair as the client sees it and the
 * server's own time per verb; asserts nothing.
 *
 *   npx tsx bench/extender-latency.ts [--quick] [--only 750:names|5000:names|750:full|5000:full] [--profile-server DIR]
 *                                     [--client node|go] [--profile-client DIR] [--server tessera|canned] [--shuffle]
 *
 * The server runs in a child process (kube-scheduler is a separate process too), so the client's JSON work and
 * garbage do not land on the server's thread. The fleet is the built-in mix scaled up (1/4 H100 NVSwitch, 1/4
 * A100 PCIe pairs, 1/2 L4 spot) with realistic partial allocations: about 1.5 pods per node (1-GPU, 2-GPU and
 * fractional) bound through the service. Each iteration is a fresh pod of a mixed shape (1 GPU, 2 GPUs or a
 * fraction); after prioritize the client binds it to the best-scored node (untimed, as kube-scheduler does after
 * the pair), and deletes the pod bound 50 iterations earlier, so every pair sees a fresh snapshot and the cluster
 * stays at a steady fill. Server-side times are per request (request read to response written, what the
 * service observes into tessera_extender_request_duration_seconds), p50/p99 over the measured iterations.
 * `--profile-server DIR` writes a CPU profile of the server's measured phase only.
 *
 * `--client go` replaces the node:http client with kube-scheduler's own extender client: a Go program
 * (bench/kube-extender-client, built by scripts/bench/build-kube-extender-client.sh) that calls
 * scheduler.NewHTTPExtender's Filter, Prioritize and Bind from k8s.io/kubernetes v1.35.4, configured from
 * deploy/scheduler-config.yaml (names-only cases as deployed, full-node cases with nodeCacheCapable false), and
 * times the pair with Go's monotonic clock. Same fleet, pod mix, bind and delete loop, same output lines, plus one
 * line with each call as the Go client times it. `--profile-client DIR` writes the Go client's CPU profile there
 * (`go tool pprof -top <binary> DIR/client-go-*.pprof`).
 *
 * `--shuffle` (node client, names-only) sends each filter its candidates in a new order, interleaved as
 * kube-scheduler's parallel filter interleaves them (by default every filter gets the same list).
 *
 * `--server canned` (names-only cases) replaces Tessera with a plain node:http server that answers at once with
 * canned answers of the same size (every node passes filter, every score 5, every bind ok): the floor that the
 * client, loopback TCP and the machine alone put under the pair, to compare side by side with Tessera's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SCHEDULING_OPTIONS } from '../src/algorithm/scheduling-options.js';
import { DEFAULT_CONFIG } from '../src/config/config-schema.js';
import { createModelParsers } from '../src/server/model-parsers.js';
import { startTesseraServer } from '../src/server/tessera-server.js';
import { SimulatedCluster } from '../src/sim/simulated-cluster.js';
import { fleetNodes, FleetSchema } from '../src/sim/simulated-cluster-fleet.js';
import { kubePod, realisticNode } from '../test/server/kube-fixtures.js';
import { buildKubeExtenderClient, kubeExtenderClientLabel, startKubeExtenderClient } from './kube-extender-client/kube-extender-client.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const quick = argv.includes('--quick');
/** Node client, names-only: each filter gets the candidates in a new order, as kube-scheduler's parallel filter makes. */
const shuffle = argv.includes('--shuffle');

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

/**
 * The candidates in the order kube-scheduler's findNodesThatPassFilters produces: chunks of sqrt(n) nodes checked
 * by parallel workers, each node appended when its check finishes, so two workers' chunks interleave node by node
 * (2 cores: 2 at a time). A different interleaving every call.
 */
function kubeSchedulerOrder(names: readonly string[], random: () => number): string[] {
  const chunk = Math.max(1, Math.floor(Math.sqrt(names.length)));
  const chunks: string[][] = [];
  for (let i = 0; i < names.length; i += chunk) chunks.push(names.slice(i, i + chunk));
  const out: string[] = [];
  const running: string[][] = [];
  while (chunks.length > 0 || running.length > 0) {
    while (running.length < 2 && chunks.length > 0) running.push([...(chunks.shift() as string[])]);
    const w = Math.floor(random() * running.length);
    const worker = running[w] as string[];
    out.push(worker.shift() as string);
    if (worker.length === 0) running.splice(w, 1);
  }
  return out;
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

/** A realistic GPU request mix: half 1-GPU, a fifth 2-GPU, the rest a fraction of one GPU. */
function mixedRequests(r: number): Record<string, string> {
  if (r < 0.5) return { 'nvidia.com/gpu': '1' };
  if (r < 0.7) return { 'nvidia.com/gpu': '2' };
  return { 'tessera.io/gpu-memory': '8192', 'tessera.io/gpu-compute': '250' };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

// ---- server role (child process) ----

type ToServer = { type: 'delete'; uid: string } | { type: 'mark' } | { type: 'times' } | { type: 'stop' };
/** Server-side milliseconds per verb since the last mark: [count, mean, p50, p99]. */
type VerbTimes = Record<string, [number, number, number, number]>;
type FromServer = { type: 'ready'; url: string; bound: number } | { type: 'ack' } | { type: 'times'; times: VerbTimes };

/** The floor: answers of Tessera's size at once, with server-side times taken the same way. */
async function serveCanned(n: number): Promise<void> {
  const names = fleetNodes(fleet(n)).map((x) => x.metadata?.name as string);
  const answers: Record<string, Buffer> = {
    '/scheduler/filter': Buffer.from(JSON.stringify({ Nodes: null, NodeNames: names, FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: '' })),
    '/scheduler/prioritize': Buffer.from(JSON.stringify(names.map((Host) => ({ Host, Score: 5 })))),
    '/scheduler/bind': Buffer.from('{"Error":""}'),
  };
  let durations = new Map<string, number[]>();
  observeGc(() => durations);
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const started = process.hrtime.bigint();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = answers[req.url ?? ''] ?? Buffer.from('{}');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
      const verb = (req.url ?? '').split('/').pop() ?? '';
      const list = durations.get(verb) ?? [];
      list.push(Number(process.hrtime.bigint() - started) / 1e6);
      durations.set(verb, list);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const send = (m: FromServer): void => void process.send?.(m);
  process.on('message', (m: ToServer) => {
    if (m.type === 'delete') send({ type: 'ack' });
    else if (m.type === 'mark') {
      durations = new Map();
      send({ type: 'ack' });
    } else if (m.type === 'times') send({ type: 'times', times: verbTimes(durations) });
    else server.close(() => process.exit(0));
  });
  send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bound: 0 });
}

/** Records the server's garbage-collection pauses under the pseudo-verb `gc`, into whatever map `durations()` gives. */
function observeGc(durations: () => Map<string, number[]>): void {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const pauses = durations().get('gc') ?? [];
      pauses.push(entry.duration);
      durations().set('gc', pauses);
    }
  }).observe({ entryTypes: ['gc'] });
}

/** [count, mean, p50, p99] per verb. */
function verbTimes(durations: ReadonlyMap<string, number[]>): VerbTimes {
  const times: VerbTimes = {};
  for (const [verb, list] of durations) {
    const sorted = [...list].sort((a, b) => a - b);
    times[verb] = [sorted.length, sorted.reduce((a, b) => a + b, 0) / sorted.length, percentile(sorted, 50), percentile(sorted, 99)];
  }
  return times;
}

async function serve(n: number, profileDir: string | undefined): Promise<void> {
  const nodes = fleetNodes(fleet(n));
  const parsers = createModelParsers();
  const sim = new SimulatedCluster(nodes);
  const server = await startTesseraServer({
    // Full-node bodies are about 12.4 KB a node: the per-node body allowance docs/service.md gives for
    // nodeCacheCapable: false (the names-only default, 256 B a node, would refuse them).
    config: { ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, opsPort: 0, bodyBytesPerNode: 16 * 1024, maxBodyBytes: 128 * 1024 * 1024 }, source: sim, options: DEFAULT_SCHEDULING_OPTIONS,
    parseNode: parsers.parseNode, parseAllocation: parsers.parseAllocation, waitForSync: true,
  });
  // Realistic partial allocations, bound through the service itself.
  const random = rng(42);
  const names = nodes.map((x) => x.metadata?.name as string);
  let bound = 0;
  for (let i = 0; i < n * 1.5; i += 1) {
    const node = names[Math.floor(random() * names.length)] as string;
    const pod = kubePod({ name: `seed-${i}`, uid: `seed-${i}`, requests: mixedRequests(random()), annotations: { 'tessera.io/interruptible': 'true' } });
    const args = { Pod: pod, Nodes: null, NodeNames: [node] } as never;
    if ((server.service.filter(args).NodeNames ?? []).length === 0) continue;
    const b = await server.service.bind({ PodName: `seed-${i}`, PodNamespace: 'default', PodUID: `seed-${i}`, Node: node });
    if (b.Error === '') bound += 1;
  }
  // Server-side time per request (request read to response written), as the service's histogram observes it.
  let durations = new Map<string, number[]>();
  observeGc(() => durations);
  const histogram = server.metrics.requestDuration;
  const observe = histogram.observe.bind(histogram);
  histogram.observe = ((labels: { verb?: string }, seconds: number) => {
    const list = durations.get(labels.verb ?? '') ?? [];
    list.push(seconds * 1000);
    durations.set(labels.verb ?? '', list);
    observe(labels, seconds);
  }) as typeof histogram.observe;
  let session: Session | null = null;
  if (profileDir !== undefined) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const send = (m: FromServer): void => void process.send?.(m);
  process.on('message', (m: ToServer) => {
    if (m.type === 'delete') {
      sim.deletePod(m.uid);
      send({ type: 'ack' });
      return;
    }
    if (m.type === 'mark') {
      durations = new Map();
      send({ type: 'ack' });
      return;
    }
    if (m.type === 'times') {
      send({ type: 'times', times: verbTimes(durations) });
      return;
    }
    void (async () => {
      if (session !== null && profileDir !== undefined) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(join(profileDir, `server-${n}-${process.pid}.cpuprofile`), JSON.stringify(profile));
      }
      await server.close(100);
      process.exit(0);
    })();
  });
  send({ type: 'ready', url: server.url, bound });
}

// ---- client role (this process) ----

/** Deletes the pod bound 50 pairs ago, so the fleet stays at a steady fill. */
async function retireOldest(child: ChildProcess, next: () => Promise<FromServer>, boundUids: string[]): Promise<void> {
  if (boundUids.length <= 50) return;
  child.send({ type: 'delete', uid: boundUids.shift() as string } satisfies ToServer);
  await next();
}

/** The server's own per-verb times since the mark. */
async function serverTimes(child: ChildProcess, next: () => Promise<FromServer>): Promise<VerbTimes> {
  child.send({ type: 'times' } satisfies ToServer);
  const reply = await next();
  return reply.type === 'times' ? reply.times : {};
}

/** Prints the pair as the client saw it and the server's time per verb. */
function report(o: { n: number; full: boolean; bodyBytes: number; feasible: number; seeded: number; binds: number; samples: number[]; times: VerbTimes }): void {
  const samples = [...o.samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const server = (verb: string): string => {
    const t = o.times[verb];
    return t === undefined ? `${verb} n/a` : `${verb} mean ${t[1].toFixed(2)} p50 ${t[2].toFixed(2)} p99 ${t[3].toFixed(2)} ms`;
  };
  console.log(`${String(o.n).padStart(5)} nodes  ${o.full ? 'full nodes ' : 'names-only '}  body ${(o.bodyBytes / 1024 / 1024).toFixed(2).padStart(7)} MiB  ` +
    `feasible ${String(o.feasible).padStart(4)}  seeded pods ${o.seeded}  binds ${o.binds}  n=${samples.length}  ` +
    `filter+prioritize p50 ${percentile(samples, 50).toFixed(2)} ms  p99 ${percentile(samples, 99).toFixed(2)} ms  mean ${mean.toFixed(2)} ms`);
  console.log(`${' '.repeat(19)}server-side (measured iterations): ${server('filter')}; ${server('prioritize')}; ${server('bind')}`);
  const gc = o.times['gc'];
  console.log(`${' '.repeat(19)}server GC pauses: ${gc === undefined ? 'none' : `${gc[0]}, mean ${gc[1].toFixed(2)} p50 ${gc[2].toFixed(2)} p99 ${gc[3].toFixed(2)} ms`}`);
}

/** The bench server's command line: Tessera (optionally profiled) or the canned floor. */
function serverArgs(n: number, profileDir: string | undefined): string[] {
  if (flag('--server') === 'canned') return ['--serve', String(n), '--canned'];
  return ['--serve', String(n), ...(profileDir === undefined ? [] : ['--profile-server', profileDir])];
}

async function run(n: number, full: boolean, iterations: number, profileDir: string | undefined): Promise<void> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), serverArgs(n, profileDir), { stdio: 'inherit' });
  const next = (): Promise<FromServer> => new Promise((resolve) => child.once('message', (m) => resolve(m as FromServer)));
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`unexpected message from the bench server: ${JSON.stringify(ready)}`);
  const url = ready.url;
  const nodes = fleetNodes(fleet(n));
  const names = nodes.map((x) => x.metadata?.name as string);
  const nodesJson = full ? JSON.stringify({ metadata: {}, items: nodes.map((x) => realisticNode(x as Record<string, unknown>)) }) : '';
  const namesJson = JSON.stringify(names);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const call = (method: 'GET' | 'POST', path: string, body: string): Promise<string> => new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`))));
    });
    // Go's net package (kube-scheduler) sets TCP_NODELAY on every connection; node:http clients do not by default.
    req.on('socket', (socket) => socket.setNoDelay(true));
    req.on('error', reject);
    req.end(body);
  });
  const samples: number[] = [];
  const warmup = Math.max(5, Math.floor(iterations / 10));
  const random = rng(7);
  const orderRandom = rng(11);
  const boundUids: string[] = [];
  let feasible = 0;
  let bodyBytes = 0;
  let binds = 0;
  for (let i = 0; i < warmup + iterations; i += 1) {
    if (i === warmup) {
      child.send({ type: 'mark' } satisfies ToServer);
      await next();
    }
    const uid = `bench-${i}`;
    const pod = JSON.stringify(kubePod({ name: uid, uid, requests: mixedRequests(random()), annotations: { 'tessera.io/interruptible': 'true' } }));
    const list = shuffle ? JSON.stringify(kubeSchedulerOrder(names, orderRandom)) : namesJson;
    const body = full ? `{"Pod":${pod},"Nodes":${nodesJson},"NodeNames":null}` : `{"Pod":${pod},"Nodes":null,"NodeNames":${list}}`;
    bodyBytes = Buffer.byteLength(body);
    const t0 = process.hrtime.bigint();
    const f = await call('POST', '/scheduler/filter', body);
    // kube-scheduler prioritizes the nodes that passed filter: the same envelope with the survivors.
    const survivors = full ? /"Nodes":(\{.*\}),"NodeNames":null,"FailedNodes"/s.exec(f)?.[1] : /"NodeNames":(\[[^\]]*\])/.exec(f)?.[1];
    if (survivors === undefined) throw new Error(`unexpected filter answer: ${f.slice(0, 200)}`);
    const p = await call('POST', '/scheduler/prioritize', full ? `{"Pod":${pod},"Nodes":${survivors},"NodeNames":null}` : `{"Pod":${pod},"Nodes":null,"NodeNames":${survivors}}`);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= warmup) samples.push(ms);
    if (i === 0) {
      const s = JSON.parse(survivors) as unknown[] | { items: unknown[] };
      feasible = Array.isArray(s) ? s.length : s.items.length;
    }
    // Untimed: bind to the best node (first of the highest score, as kube-scheduler would pick among ties), then
    // retire the pod bound 50 iterations ago so the fleet stays at a steady fill.
    let best = '';
    let bestScore = -1;
    for (const h of JSON.parse(p) as { Host: string; Score: number }[]) if (h.Score > bestScore) { best = h.Host; bestScore = h.Score; }
    if (best !== '') {
      const b = JSON.parse(await call('POST', '/scheduler/bind', JSON.stringify({ PodName: uid, PodNamespace: 'default', PodUID: uid, Node: best }))) as { Error: string };
      if (b.Error === '') { binds += 1; boundUids.push(uid); }
    }
    await retireOldest(child, next, boundUids);
  }
  const times = await serverTimes(child, next);
  report({ n, full, bodyBytes, feasible, seeded: ready.bound, binds, samples, times });
  agent.destroy();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ type: 'stop' } satisfies ToServer);
  await exited;
}

// ---- go client role: kube-scheduler's HTTPExtender in a Go program this process drives ----

async function runGo(binary: string, n: number, full: boolean, iterations: number, profileDir: string | undefined): Promise<void> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), serverArgs(n, profileDir), { stdio: 'inherit' });
  const next = (): Promise<FromServer> => new Promise((resolve) => child.once('message', (m) => resolve(m as FromServer)));
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`unexpected message from the bench server: ${JSON.stringify(ready)}`);
  const nodes = fleetNodes(fleet(n));
  // NodeInfos hold the Node objects; with nodeCacheCapable false the extender client sends them whole, so they are
  // the same realistic bodies the node client sends.
  const clientProfileDir = flag('--profile-client');
  const client = await startKubeExtenderClient({
    binary, urlPrefix: `${ready.url}/scheduler`, nodeCacheCapable: !full,
    nodes: full ? nodes.map((x) => realisticNode(x as Record<string, unknown>)) : nodes,
    ...(clientProfileDir === undefined ? {} : { cpuProfile: join(clientProfileDir, `client-go-${n}-${process.pid}.pprof`) }),
  });
  const samples: number[] = [];
  const filterMs: number[] = [];
  const prioritizeMs: number[] = [];
  const warmup = Math.max(5, Math.floor(iterations / 10));
  const random = rng(7);
  const boundUids: string[] = [];
  let feasible = 0;
  let binds = 0;
  for (let i = 0; i < warmup + iterations; i += 1) {
    if (i === warmup) {
      child.send({ type: 'mark' } satisfies ToServer);
      await next();
    }
    const uid = `bench-${i}`;
    const pod = kubePod({ name: uid, uid, requests: mixedRequests(random()), annotations: { 'tessera.io/interruptible': 'true' } });
    // Filter, prioritize (timed) and bind to the best-scored node (untimed), all inside the Go client.
    const r = await client.pair(pod);
    // An unschedulable pod is data (the node client binds nothing then either); a failed call is not.
    if (r.error !== '' && r.error !== 'no feasible node') throw new Error(`kube extender client failed a pair: ${r.error}`);
    if (i >= warmup) {
      samples.push(r.elapsedNs / 1e6);
      filterMs.push(r.filterNs / 1e6);
      prioritizeMs.push(r.prioritizeNs / 1e6);
    }
    if (i === 0) feasible = r.feasible;
    if (r.host !== '' && r.bindError === '') { binds += 1; boundUids.push(uid); }
    await retireOldest(child, next, boundUids);
  }
  const times = await serverTimes(child, next);
  // The client builds the request body itself; its size is what the node client sends for the same case.
  const pod = JSON.stringify(kubePod({ name: 'bench-0', uid: 'bench-0', requests: mixedRequests(0) }));
  const names = nodes.map((x) => x.metadata?.name as string);
  const bodyBytes = full
    ? Buffer.byteLength(`{"Pod":${pod},"Nodes":${JSON.stringify({ metadata: {}, items: nodes.map((x) => realisticNode(x as Record<string, unknown>)) })},"NodeNames":null}`)
    : Buffer.byteLength(`{"Pod":${pod},"Nodes":null,"NodeNames":${JSON.stringify(names)}}`);
  report({ n, full, bodyBytes, feasible, seeded: ready.bound, binds, samples, times });
  const split = (verb: string, list: number[]): string => {
    const sorted = [...list].sort((a, b) => a - b);
    return `${verb} mean ${(sorted.reduce((a, b) => a + b, 0) / sorted.length).toFixed(2)} p50 ${percentile(sorted, 50).toFixed(2)} p99 ${percentile(sorted, 99).toFixed(2)} ms`;
  };
  // Each call as HTTPExtender sees it (its JSON encoding, the round trip, its JSON decoding).
  console.log(`${' '.repeat(19)}client-side (Go monotonic clock): ${split('filter', filterMs)}; ${split('prioritize', prioritizeMs)}`);
  await client.close();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ type: 'stop' } satisfies ToServer);
  await exited;
}

if (argv.includes('--serve')) {
  if (argv.includes('--canned')) await serveCanned(Number(flag('--serve')));
  else await serve(Number(flag('--serve')), flag('--profile-server'));
} else {
  /** `--only 5000:names` runs one case (sizes 750/5000, modes names/full). */
  const only = flag('--only');
  const cases: [number, boolean, number][] = [
    [750, false, quick ? 200 : 2000], [5000, false, quick ? 100 : 1000], [750, true, quick ? 10 : 50], [5000, true, quick ? 3 : 10],
  ];
  const clientKind = flag('--client') ?? 'node';
  const serverKind = flag('--server') ?? 'tessera';
  if (serverKind !== 'tessera' && serverKind !== 'canned') throw new Error(`cannot run the bench: unknown --server "${serverKind}": use tessera or canned`);
  if (clientKind !== 'node' && clientKind !== 'go') throw new Error(`cannot run the bench: unknown --client "${clientKind}": use node or go`);
  // Built before any server starts, so a first build does not overlap the measurement.
  const binary = clientKind === 'go' ? buildKubeExtenderClient() : '';
  const label = clientKind === 'go' ? `, client go (${kubeExtenderClientLabel(binary)})` : '';
  console.log(`node ${process.version}, ${quick ? 'quick' : 'full'} run, ${serverKind === 'canned' ? 'CANNED server (the floor)' : 'Tessera'} in a child process${label}`);
  for (const [n, full, iterations] of cases) {
    if (only !== undefined && only !== `${n}:${full ? 'full' : 'names'}`) continue;
    if (full && serverKind === 'canned') continue;
    if (clientKind === 'go') await runGo(binary, n, full, iterations, flag('--profile-server'));
    else await run(n, full, iterations, flag('--profile-server'));
  }
}
