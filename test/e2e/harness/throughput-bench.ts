/**
 * The throughput bench (issue #13): a real kube-apiserver, etcd, KWOK GPU fleet and kube-scheduler 1.35.4, and
 * rounds of setups (throughput-setups.ts) that each schedule the same number of GPU pods from an empty cluster.
 * bench/throughput.ts prints what `runThroughputBench` returns; test/e2e/throughput.e2e.ts runs a small one.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { request as httpsRequest } from 'node:https';
import {
  applyObjects, deployedTesseraEnv, EXTENDER_SERVICE_ACCOUNT, kustomizeObjects, SCHEDULER_NAMESPACE, SCHEDULER_SERVICE_ACCOUNT, serviceAccountToken, startKubeSchedulerWithConfig, startKwok,
  type TesseraProcessRunner, tesseraProcessRunner,
} from './components.js';
import { allocationOf, allocationViolations, type FleetNode } from './gpu-fleet.js';
import { ensureBinaries, type LocalCluster, REPO_ROOT, startLocalCluster } from './local-cluster.js';
import { freePort, type ManagedProcess, startProcess, waitFor } from './managed-process.js';
import { cpuSeconds, pidsWithCommandLine, rssBytes, runQueueSeconds } from './process-stats.js';
import { gaugeValue, histogram, histogramDelta, histogramQuantile, parsePrometheusText, type PromSample } from './prometheus-text.js';
import { boundedPool } from '../../../src/util/bounded-pool.js';
import { RawApi } from './raw-api.js';
import { throughputFleet, throughputNodeObject, throughputPod, wholeGpuViolations } from './throughput-fleet.js';
import { type BenchSetup, benchSetup } from './throughput-setups.js';

/** Settings of one bench run. */
export interface ThroughputBenchOptions {
  readonly nodes: number;
  readonly pods: number;
  /** Rounds of every setup, interleaved (the order alternates per round). */
  readonly rounds: number;
  /** Setup ids (throughput-setups.ts), e.g. ['alone', 'tessera', 'floor']. */
  readonly setups: readonly string[];
  /** kube-scheduler's clientConnection qps and burst, the same in every setup. */
  readonly qps: number;
  readonly burst: number;
  /** Pod creations in flight. */
  readonly createConcurrency: number;
  /** Names .e2e/<runName>; unique per concurrent run. */
  readonly runName: string;
  /** KWOK node lease duration (renewals are writes: thousands of nodes with short leases load the apiserver). */
  readonly kwokLeaseSeconds: number;
  /** Give up on a round when no pod was bound for this long. */
  readonly stallMs: number;
  /** Tessera as `npm start` runs it (`compiled`, the default) or from source. */
  readonly tesseraEntry: 'compiled' | 'source';
  /** Write Tessera's CPU profile of each round there (node --cpu-prof), or null. */
  readonly profileDir: string | null;
  /**
   * `live`: pods are created while kube-scheduler runs (it competes with the creations, as with a Job controller);
   * `queued`: every pod is created first, then kube-scheduler starts (a full queue: scheduling alone is measured).
   */
  readonly arrival: 'live' | 'queued';
  readonly log: (line: string) => void;
}

/** Defaults of `ThroughputBenchOptions`. */
export const THROUGHPUT_DEFAULTS: Omit<ThroughputBenchOptions, 'log'> = {
  nodes: 1000, pods: 2000, rounds: 2, setups: ['alone', 'tessera', 'floor'], qps: 500, burst: 1000, createConcurrency: 48,
  runName: 'throughput', kwokLeaseSeconds: 3600, stallMs: 180_000, tesseraEntry: 'compiled', profileDir: null, arrival: 'live',
};

/** Seconds figures of a latency histogram over one round. */
export interface LatencyFigures {
  readonly count: number;
  /** Sum of the observations. */
  readonly totalMs: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** What one round of one setup measured. */
export interface RoundResult {
  readonly setup: string;
  readonly round: number;
  readonly pods: number;
  readonly bound: number;
  /** Pods bound per second between 10 % and 90 % of the pods bound. */
  readonly throughput: number;
  /** Pods created per second (the load generator's own rate). */
  readonly createRate: number;
  /** Creation (the create call answered) to bound (the watch saw spec.nodeName), client clock. */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly wallSeconds: number;
  readonly loadAverage: number;
  /**
   * Seconds each process waited, runnable, for a CPU over the round (and the extender's event-loop thread alone,
   * as `<extender> event loop`): how much of a call's latency is contention for the cores rather than work.
   */
  readonly runQueueSeconds: Readonly<Record<string, number>>;
  /** CPU seconds per process over the round (until KWOK has marked every pod Running), less its idle rate. */
  readonly cpuSeconds: Readonly<Record<string, number>>;
  /** Over-commit and bound-pod problems found from the API objects alone (empty = sound). */
  readonly violations: readonly string[];
  /** kube-scheduler's histograms over the round (ms). */
  readonly scheduler: Readonly<Record<string, LatencyFigures>>;
  /** kube-scheduler's scheduling attempts by result. */
  readonly attempts: Readonly<Record<string, number>>;
  /** kube-apiserver's requests over the round by `verb resource[/subresource]` (watches excluded). */
  readonly apiRequests: Readonly<Record<string, number>>;
  /** The extender's figures (Tessera only). */
  readonly tessera: {
    readonly rssPeakMiB: number;
    readonly rssEndMiB: number;
    /** V8's heap at the end of the round (nodejs_heap_size_used_bytes / _total_bytes): how much of the RSS is live. */
    readonly heapUsedMiB: number;
    readonly heapTotalMiB: number;
    readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly mean: number };
    readonly verbs: Readonly<Record<string, LatencyFigures>>;
    /** tessera_nominations_total over the round, by result. */
    readonly nominations: Readonly<Record<string, number>>;
  } | null;
}

/** Everything a run measured. */
export interface ThroughputReport {
  readonly options: Omit<ThroughputBenchOptions, 'log'>;
  readonly rounds: readonly RoundResult[];
  readonly fleet: string;
}

const NAMESPACE = 'bench';
/** How long each round samples idle CPU before creating pods. */
const IDLE_SAMPLE_MS = 10_000;
const MIB = 1024 * 1024;

/** Runs the bench; resolves with every round's figures (a round that stalls rejects). */
export async function runThroughputBench(options: ThroughputBenchOptions): Promise<ThroughputReport> {
  const log = options.log;
  const setups = options.setups.map(benchSetup);
  if (setups.some((s) => s.extender === 'tessera') && options.tesseraEntry === 'compiled') buildTessera(log);
  const binDir = await ensureBinaries();
  const cluster = await startLocalCluster(binDir, options.runName);
  const procs: ManagedProcess[] = [];
  try {
    const kwok = await startKwok(binDir, cluster, { nodeLeaseDurationSeconds: options.kwokLeaseSeconds });
    procs.push(kwok);
    const kc = cluster.kubeConfig;
    await applyObjects(kc, kustomizeObjects(join(REPO_ROOT, 'deploy')));
    await applyObjects(kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }]);
    const token = await serviceAccountToken(kc, SCHEDULER_NAMESPACE, SCHEDULER_SERVICE_ACCOUNT);
    const saKubeconfig = cluster.writeKubeconfig('tessera-scheduler', token);
    // As deploy/ runs them: Tessera with its own identity (it advertises node GPU totals, which kube-scheduler's may not).
    const extenderKubeconfig = cluster.writeKubeconfig('tessera-extender', await serviceAccountToken(kc, SCHEDULER_NAMESPACE, EXTENDER_SERVICE_ACCOUNT));
    const adminToken = kc.getCurrentUser()?.token ?? '';
    const api = new RawApi(cluster.server, adminToken);
    const fleet = throughputFleet(options.nodes);
    const t0 = performance.now();
    await boundedPool(fleet, 32, (n) => api.must('POST', '/api/v1/nodes', throughputNodeObject(n)));
    await waitFor(`KWOK to make ${String(fleet.length)} nodes Ready`, async () => {
      const list = JSON.parse((await api.must('GET', '/api/v1/nodes')).body.toString('utf8')) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
      return list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= fleet.length;
    }, { timeoutMs: 1_800_000, intervalMs: 3_000, process: kwok });
    const kinds = new Map<string, number>();
    for (const n of fleet) kinds.set(n.name.replace(/-\d+$/, ''), (kinds.get(n.name.replace(/-\d+$/, '')) ?? 0) + 1);
    const fleetLine = `${String(fleet.length)} KWOK nodes (${[...kinds].map(([k, c]) => `${String(c)} ${k}`).join(', ')}; 8 GPUs each)`;
    log(`fleet ready in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${fleetLine}`);
    const ctx: RoundContext = {
      options, cluster, api, fleet, binDir, saKubeconfig, extenderKubeconfig, token, kwok,
      apiserverPids: pidsWithCommandLine(`--cert-dir=${join(cluster.dir, 'pki')}`),
      etcdPids: pidsWithCommandLine(`--data-dir=${join(cluster.dir, 'etcd')}`),
    };
    if (setups.some((s) => s.extender !== 'none')) await primeNodeTotals(ctx);
    const rounds: RoundResult[] = [];
    for (let r = 1; r <= options.rounds; r += 1) {
      const order = r % 2 === 1 ? setups : [...setups].reverse();
      for (const setup of order) {
        const result = await runRound(ctx, setup, r);
        rounds.push(result);
        for (const line of formatRound(result)) log(line);
      }
    }
    api.close();
    return { options: { ...options, log: undefined } as unknown as Omit<ThroughputBenchOptions, 'log'>, rounds, fleet: fleetLine };
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await cluster.stop();
  }
}

interface RoundContext {
  readonly options: ThroughputBenchOptions;
  readonly cluster: LocalCluster;
  readonly api: RawApi;
  readonly fleet: readonly FleetNode[];
  readonly binDir: string;
  readonly saKubeconfig: string;
  /** The tessera-extender ServiceAccount's kubeconfig: Tessera's identity in deploy/. */
  readonly extenderKubeconfig: string;
  readonly token: string;
  readonly kwok: ManagedProcess;
  readonly apiserverPids: readonly number[];
  readonly etcdPids: readonly number[];
}

/** `npm run build` (tsc -p tsconfig.build.json), so Tessera runs as `npm start` runs it. */
export function buildTessera(log: (line: string) => void): void {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed: ${r.stdout}${r.stderr}`);
  log(`built dist/ in ${((performance.now() - t) / 1000).toFixed(0)} s`);
}

/**
 * Runs Tessera as deployed once, before any round, until the nodes advertise the GPU totals it publishes
 * (`tessera.io/gpu-compute` and the rest, which deploy/'s NodeResourcesFit counts), then stops it. A running
 * deployment's nodes carry them already (they outlive Tessera's restarts); without this the first round with an
 * extender would also measure one node status write per node, and the do-nothing extender's pods would find no
 * node with totals.
 */
async function primeNodeTotals(ctx: RoundContext): Promise<void> {
  const t = performance.now();
  const tessera = await tesseraProcessRunner(ctx.cluster, ctx.extenderKubeconfig, {
    entry: ctx.options.tesseraEntry, name: 'tessera-prime', readyTimeoutMs: 900_000, env: deployedTesseraEnv(),
  });
  await tessera.start();
  let advertised = 0;
  // Its RSS while it publishes: the one moment of a fresh cluster when Tessera writes to every node.
  let peakRss = 0;
  const sampler = setInterval(() => {
    const rss = rssBytes(tessera.current()?.child.pid);
    if (Number.isFinite(rss)) peakRss = Math.max(peakRss, rss);
  }, 500);
  try {
    // Tessera writes only the totals a node lacks (a node without fractional GPUs gets none), each node once: done
    // when the count of nodes advertising tessera.io/gpu-compute is above zero and stands still for 15 s.
    let last = -1;
    let stillSince = performance.now();
    await waitFor(`Tessera to advertise GPU totals on the ${String(ctx.fleet.length)} nodes`, async () => {
      const list = JSON.parse((await ctx.api.must('GET', '/api/v1/nodes')).body.toString('utf8')) as { items: { status?: { allocatable?: Record<string, string> } }[] };
      const count = list.items.filter((n) => n.status?.allocatable?.['tessera.io/gpu-compute'] !== undefined).length;
      if (count !== last) {
        last = count;
        stillSince = performance.now();
      }
      return count > 0 && performance.now() - stillSince >= 15_000;
    }, { timeoutMs: 1_800_000, intervalMs: 5_000, process: tessera.current() ?? undefined });
    advertised = last;
  } finally {
    clearInterval(sampler);
    await tessera.stop();
  }
  ctx.options.log(`Tessera advertised GPU totals on ${String(advertised)} of ${String(ctx.fleet.length)} nodes in ${((performance.now() - t) / 1000).toFixed(0)} s (before the rounds, as on a running cluster); its RSS peak meanwhile ${f0(peakRss / 2 ** 20)} MiB`);
}

/** The extender process of a round: Tessera, the do-nothing floor, or none. */
async function startExtender(ctx: RoundContext, setup: BenchSetup, tag: string): Promise<{ tessera: TesseraProcessRunner | null; floor: ManagedProcess | null; port: number | null }> {
  const { options, cluster } = ctx;
  if (setup.extender === 'tessera') {
    // With a profile directory: Tessera's CPU profile of the round, and a heap snapshot taken at its end (SIGUSR2).
    const profile = options.profileDir === null ? [] : (mkdirSync(options.profileDir, { recursive: true }), [
      '--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=tessera-${tag}.cpuprofile`,
      '--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${options.profileDir}`,
    ]);
    const tessera = await tesseraProcessRunner(cluster, ctx.extenderKubeconfig, {
      entry: options.tesseraEntry, name: `tessera-${tag}`, nodeArgs: profile, serveArgs: setup.tesseraArgs ?? [], readyTimeoutMs: 900_000,
      env: setup.tesseraEnv?.() ?? {},
    });
    await tessera.start();
    return { tessera, floor: null, port: tessera.port };
  }
  if (setup.extender === 'floor') {
    const port = await freePort();
    const floor = startProcess(`floor-${tag}`, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'do-nothing-extender.ts'), '--port', String(port)], {
      logDir: cluster.logDir, cwd: REPO_ROOT, env: { ...process.env, APISERVER: cluster.server, TOKEN: ctx.token },
    });
    await waitFor('the do-nothing extender', async () => (await fetch(`http://127.0.0.1:${String(port)}/healthz`)).ok, { timeoutMs: 60_000, process: floor });
    return { tessera: null, floor, port };
  }
  return { tessera: null, floor: null, port: null };
}

/**
 * Waits until kube-apiserver, etcd and KWOK are quiet (the previous round's deletions done: KWOK acts on them
 * late), judged by their CPU over 5 s windows: below a quarter of a core, or no longer falling; at most 3 minutes.
 */
async function settle(ctx: RoundContext): Promise<void> {
  const pids = [...ctx.apiserverPids, ...ctx.etcdPids, ctx.kwok.child.pid];
  const total = (): number => pids.reduce<number>((sum, pid) => sum + cpuSeconds(pid), 0);
  const deadline = performance.now() + 180_000;
  let previous = Infinity;
  while (performance.now() < deadline) {
    const a = total();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const rate = (total() - a) / 5;
    if (rate < 0.25 || rate > previous * 0.9) return;
    previous = rate;
  }
}

/** One setup from an empty namespace to every pod bound, then torn down again. */
async function runRound(ctx: RoundContext, setup: BenchSetup, round: number): Promise<RoundResult> {
  const { options, cluster, api } = ctx;
  const tag = `${setup.id}-r${String(round)}`;
  await settle(ctx);
  const { tessera, floor, port: extenderPort } = await startExtender(ctx, setup, tag);
  const extenderPid = tessera?.current()?.child.pid ?? floor?.child.pid;
  let scheduler: (ManagedProcess & { readonly securePort: number }) | null = null;
  const startScheduler = async (): Promise<ManagedProcess & { readonly securePort: number }> => {
    const s = await startKubeSchedulerWithConfig(ctx.binDir, cluster, ctx.saKubeconfig, setup.config({ qps: options.qps, burst: options.burst, extenderPort }), {
      name: `kube-scheduler-${tag}`,
      extraArgs: ['--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics'],
    });
    scheduler = s;
    await waitFor('kube-scheduler to take the tessera-scheduler lease', () => readLog(s.logFile).includes('Successfully acquired lease'), { timeoutMs: 120_000, intervalMs: 250, process: s });
    return s;
  };
  const queued = options.arrival === 'queued';
  try {
    if (!queued) await startScheduler();
    const tesseraMetrics = (): Promise<PromSample[]> => (tessera === null ? Promise.resolve([]) : scrape(`${tessera.opsUrl}/metrics`));
    const apiserverMetrics = async (): Promise<PromSample[]> => parsePrometheusText((await api.must('GET', '/metrics')).body.toString('utf8'));
    const pids = (): Record<string, readonly (number | undefined)[]> => ({
      'kube-apiserver': ctx.apiserverPids, etcd: ctx.etcdPids, kwok: [ctx.kwok.child.pid], 'kube-scheduler': [(scheduler as ManagedProcess | null)?.child.pid],
      ...(extenderPid === undefined ? {} : { [setup.extender]: [extenderPid] }),
    });
    /** `measure` summed over each component's processes. */
    const perProcess = (measure: (pid: number) => number): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const [k, list] of Object.entries(pids())) out[k] = list.reduce<number>((sum, pid) => sum + (pid === undefined ? 0 : measure(pid)), 0);
      return out;
    };
    const cpu = (): Record<string, number> => {
      const self = process.cpuUsage();
      return { ...perProcess(cpuSeconds), bench: (self.user + self.system) / 1e6 };
    };
    // Time each process waited, runnable, for a CPU (and the extender's event-loop thread alone): CPU contention.
    const waits = (): Record<string, number> => ({
      ...perProcess((pid) => runQueueSeconds(pid)),
      ...(extenderPid === undefined ? {} : { [`${setup.extender} event loop`]: runQueueSeconds(extenderPid, true) }),
      bench: runQueueSeconds(process.pid),
    });
    const apiBefore = await apiserverMetrics();
    const tessBefore = await tesseraMetrics();
    // What every process burns with nothing to schedule (lease renewals, timers), so that CPU per pod counts the
    // pods' work only: a slower round would otherwise be charged more idle time.
    const idleStart = cpu();
    const idleFrom = performance.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_MS));
    let cpuBefore = cpu();
    let waitBefore = waits();
    const idleRate: Record<string, number> = {};
    for (const k of Object.keys(cpuBefore)) idleRate[k] = Math.max(0, ((cpuBefore[k] as number) - (idleStart[k] as number)) / ((performance.now() - idleFrom) / 1000));
    const loadBefore = loadavg()[0] ?? NaN;
    const schedulerMetrics = (): Promise<PromSample[]> => {
      const active = scheduler as unknown as (ManagedProcess & { readonly securePort: number }) | null;
      return active === null ? Promise.resolve([]) : scrape(`https://127.0.0.1:${String(active.securePort)}/metrics`);
    };
    // Live: kube-scheduler runs during the creations, so its counters are read now. Queued: it starts later, from zero.
    const schedBefore = await schedulerMetrics();

    const pods = Array.from({ length: options.pods }, (_, i) => throughputPod(i, NAMESPACE, setup.pods));
    const index = new Map(pods.map((p, i) => [p.metadata?.name ?? '', i]));
    const createdAt = new Float64Array(options.pods).fill(NaN);
    const boundAt = new Float64Array(options.pods).fill(NaN);
    let bound = 0;
    const running = new Uint8Array(options.pods);
    let runningCount = 0;
    let lastProgress = performance.now();
    const listed = JSON.parse((await api.must('GET', `/api/v1/namespaces/${NAMESPACE}/pods`)).body.toString('utf8')) as { metadata: { resourceVersion: string }; items: unknown[] };
    if (listed.items.length > 0) throw new Error(`namespace ${NAMESPACE} still holds ${String(listed.items.length)} pods`);
    let watchEnded: Error | null = null;
    const watch = api.follow(`/api/v1/namespaces/${NAMESPACE}/pods`, listed.metadata.resourceVersion, (ev) => {
      const i = index.get(ev.object.metadata?.name ?? '');
      if (i === undefined) return;
      if (ev.object.status?.phase === 'Running' && !running[i]) {
        running[i] = 1;
        runningCount += 1;
      }
      if ((ev.object.spec?.nodeName ?? '') === '' || !Number.isNaN(boundAt[i] as number)) return;
      boundAt[i] = performance.now();
      bound += 1;
      lastProgress = boundAt[i] as number;
    }, (err) => {
      watchEnded = err;
    });
    let peakRss = 0;
    const sampler = setInterval(() => {
      if (extenderPid !== undefined) peakRss = Math.max(peakRss, rssBytes(extenderPid));
    }, 500);
    const createStart = performance.now();
    // The bench's own nominations run beside the creations, not in their slots, so that they do not slow the
    // creation rate (as an extender's nominations would not): the floor of the nomination design.
    const benchNominations: Promise<unknown>[] = [];
    try {
      await boundedPool(pods, options.createConcurrency, async (pod, i) => {
        await api.must('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, pod, [409]);
        createdAt[i] = performance.now();
        if (setup.benchNominates === true) {
          const node = ctx.fleet[i % ctx.fleet.length]?.name ?? '';
          // 422: kube-scheduler bound the pod first (a bound pod may carry no nomination).
          const written = api.must('PATCH', `/api/v1/namespaces/${NAMESPACE}/pods/${pod.metadata?.name ?? ''}/status`, { status: { nominatedNodeName: node } }, [409, 422]);
          // Handled at once (an unhandled rejection would end the process); rethrown by Promise.all below.
          benchNominations.push(written.then(() => null, (err: unknown) => err));
        }
      });
      for (const failed of await Promise.all(benchNominations)) if (failed !== null) throw failed;
      const created = performance.now();
      // Queued: every pod waits before kube-scheduler starts; its CPU is counted from when it holds the lease (its
      // start-up lists every node and pod), latency from then too.
      let start = createStart;
      if (queued) {
        const s = await startScheduler();
        start = performance.now();
        cpuBefore = { ...cpuBefore, 'kube-scheduler': cpuSeconds(s.child.pid) };
        waitBefore = { ...waitBefore, 'kube-scheduler': runQueueSeconds(s.child.pid) };
        lastProgress = start;
      }
      const active = scheduler as unknown as ManagedProcess & { readonly securePort: number };
      // Not waitFor: it would swallow the failures thrown here and keep polling.
      let lastLog = performance.now();
      while (bound < options.pods) {
        if (watchEnded !== null) throw new Error(`${tag}: the watch of the bench pods ended: ${(watchEnded as Error).message}`);
        if (active.exited()) throw new Error(`${tag}: kube-scheduler exited (see ${active.logFile})`);
        if (performance.now() - lastProgress > options.stallMs) throw new Error(`${tag}: no pod bound for ${String(options.stallMs / 1000)} s: ${String(bound)}/${String(options.pods)} bound`);
        if (performance.now() - lastLog > 30_000) {
          lastLog = performance.now();
          options.log(`  ${tag}: ${String(bound)}/${String(options.pods)} bound after ${((lastLog - start) / 1000).toFixed(0)} s`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const end = performance.now();
      // KWOK marks bound pods Running (one status write each, as a kubelet does): let that work land in the window.
      const settleUntil = performance.now() + 60_000;
      while (runningCount < options.pods && performance.now() < settleUntil) await new Promise((resolve) => setTimeout(resolve, 200));
      const settled = performance.now();
      const cpuAfter = cpu();
      const waitAfter = waits();
      const schedAfter = await schedulerMetrics();
      const apiAfter = await apiserverMetrics();
      const tessAfter = await tesseraMetrics();
      const rssEnd = extenderPid === undefined ? NaN : rssBytes(extenderPid);
      peakRss = Math.max(peakRss, rssEnd);
      if (options.profileDir !== null && tessera !== null) await heapSnapshot(tessera, options.profileDir);
      const podsNow = (JSON.parse((await api.must('GET', `/api/v1/namespaces/${NAMESPACE}/pods`)).body.toString('utf8')) as { items: V1Pod[] }).items;
      const violations = checkPods(setup, ctx.fleet, podsNow, options.pods);
      const sorted = Float64Array.from(boundAt).sort();
      const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
      const lo = Math.ceil(0.1 * options.pods);
      const hi = Math.ceil(0.9 * options.pods);
      const latencies = Float64Array.from(pods.map((_, i) => (boundAt[i] as number) - Math.max(createdAt[i] as number, start))).sort();
      const lat = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number;
      const cpuDelta: Record<string, number> = {};
      for (const k of Object.keys(cpuAfter)) {
        const from = k === 'kube-scheduler' && queued ? start : createStart;
        cpuDelta[k] = (cpuAfter[k] as number) - (cpuBefore[k] as number) - (idleRate[k] ?? 0) * ((settled - from) / 1000);
      }
      return {
        setup: setup.id, round, pods: options.pods, bound,
        throughput: hi > lo ? (hi - lo) / ((at(0.9) - at(0.1)) / 1000) : NaN,
        createRate: options.pods / ((created - createStart) / 1000),
        latencyP50Ms: lat(0.5), latencyP99Ms: lat(0.99),
        wallSeconds: (end - start) / 1000,
        loadAverage: ((loadavg()[0] ?? NaN) + loadBefore) / 2,
        cpuSeconds: cpuDelta,
        runQueueSeconds: Object.fromEntries(Object.keys(waitAfter).map((k) => [k, (waitAfter[k] as number) - (waitBefore[k] as number)])),
        violations,
        scheduler: schedulerFigures(schedBefore, schedAfter),
        attempts: attemptCounts(schedBefore, schedAfter),
        apiRequests: requestCounts(apiBefore, apiAfter),
        tessera: tessera === null ? null : tesseraFigures(tessBefore, tessAfter, peakRss, rssEnd),
      };
    } finally {
      clearInterval(sampler);
      watch.stop();
    }
  } finally {
    await (scheduler as ManagedProcess | null)?.stop();
    await tessera?.stop();
    await floor?.stop();
    await deleteBenchPods(api);
  }
}

/** Asks Tessera for a heap snapshot (node --heapsnapshot-signal) and waits until the file stops growing. */
async function heapSnapshot(tessera: TesseraProcessRunner, dir: string): Promise<void> {
  const child = tessera.current()?.child;
  if (child?.pid === undefined) return;
  const before = new Set(readdirSync(dir));
  child.kill('SIGUSR2');
  let lastSize = -1;
  await waitFor('the heap snapshot', () => {
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (file === undefined) return false;
    const size = statSync(join(dir, file)).size;
    const done = size > 0 && size === lastSize;
    lastSize = size;
    return done;
  }, { timeoutMs: 300_000, intervalMs: 2_000 });
}

/**
 * Deletes every pod of the bench namespace (no kubelet: grace period 0) and waits until they are gone. One by one
 * with a few in flight: a DELETE of the whole collection of 10,000 pods outlasts kube-apiserver's 60 s request timeout.
 */
async function deleteBenchPods(api: RawApi): Promise<void> {
  const list = JSON.parse((await api.must('GET', `/api/v1/namespaces/${NAMESPACE}/pods`)).body.toString('utf8')) as { items: { metadata: { name: string } }[] };
  await boundedPool(list.items, 32, (p) => api.must('DELETE', `/api/v1/namespaces/${NAMESPACE}/pods/${p.metadata.name}?gracePeriodSeconds=0`, undefined, [404]));
  await waitFor('the bench pods to be deleted', async () => {
    const list = JSON.parse((await api.must('GET', `/api/v1/namespaces/${NAMESPACE}/pods?limit=1`)).body.toString('utf8')) as { items: unknown[] };
    return list.items.length === 0;
  }, { timeoutMs: 900_000, intervalMs: 1_000 });
}

/** Every pod bound, and no over-commit, judged from the API objects alone. */
function checkPods(setup: BenchSetup, fleet: readonly FleetNode[], pods: readonly V1Pod[], expected: number): string[] {
  const problems: string[] = [];
  const unbound = pods.filter((p) => (p.spec?.nodeName ?? '') === '');
  if (pods.length !== expected) problems.push(`${String(pods.length)} pods exist, ${String(expected)} were created`);
  if (unbound.length > 0) problems.push(`${String(unbound.length)} pods not bound (first: ${unbound[0]?.metadata?.name ?? ''})`);
  if (setup.extender === 'tessera') {
    const without = pods.filter((p) => (p.spec?.nodeName ?? '') !== '' && allocationOf(p) === null);
    if (without.length > 0) problems.push(`${String(without.length)} bound pods have no tessera.io/allocation (first: ${without[0]?.metadata?.name ?? ''})`);
    problems.push(...allocationViolations(fleet, pods));
  } else if (setup.pods === 'whole') {
    problems.push(...wholeGpuViolations(fleet, pods));
  }
  // The do-nothing extender places nothing: its pods are not checked for over-commit (it is a floor, not a scheduler).
  return problems;
}

/** kube-scheduler's histograms over the round. */
function schedulerFigures(before: PromSample[], after: PromSample[]): Record<string, LatencyFigures> {
  const fig = (name: string, filter: Record<string, string> = {}): LatencyFigures => {
    const h = histogramDelta(histogram(after, name, filter), histogram(before, name, filter));
    return { count: h.count, totalMs: 1000 * h.sum, meanMs: (1000 * h.sum) / Math.max(1, h.count), p50Ms: 1000 * histogramQuantile(h, 0.5), p99Ms: 1000 * histogramQuantile(h, 0.99) };
  };
  const point = (p: string): LatencyFigures => fig('scheduler_framework_extension_point_duration_seconds', { extension_point: p, profile: 'tessera-scheduler' });
  return {
    attempt: fig('scheduler_scheduling_attempt_duration_seconds', { result: 'scheduled' }),
    algorithm: fig('scheduler_scheduling_algorithm_duration_seconds'),
    PreFilter: point('PreFilter'),
    Filter: point('Filter'),
    PreScore: point('PreScore'),
    Score: point('Score'),
    Reserve: point('Reserve'),
    Bind: point('Bind'),
    sli: fig('scheduler_pod_scheduling_sli_duration_seconds'),
  };
}

function attemptCounts(before: PromSample[], after: PromSample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const result of ['scheduled', 'unschedulable', 'error']) {
    const v = (samples: PromSample[]): number => {
      const x = gaugeValue(samples, 'scheduler_schedule_attempts_total', { result });
      return Number.isNaN(x) ? 0 : x;
    };
    out[result] = v(after) - v(before);
  }
  return out;
}

function requestCounts(before: PromSample[], after: PromSample[]): Record<string, number> {
  const count = (samples: PromSample[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const x of samples) {
      if (x.name !== 'apiserver_request_total' || x.labels['verb'] === 'WATCH') continue;
      const key = `${x.labels['verb'] ?? ''} ${x.labels['resource'] ?? ''}${x.labels['subresource'] ? `/${x.labels['subresource']}` : ''}`;
      m.set(key, (m.get(key) ?? 0) + x.value);
    }
    return m;
  };
  const b = count(before);
  const out: Record<string, number> = {};
  for (const [k, v] of count(after)) if (v - (b.get(k) ?? 0) > 0) out[k] = v - (b.get(k) ?? 0);
  return out;
}

function tesseraFigures(before: PromSample[], after: PromSample[], peakRss: number, rssEnd: number): NonNullable<RoundResult['tessera']> {
  const verbs: Record<string, LatencyFigures> = {};
  for (const verb of ['filter', 'prioritize', 'bind', 'preempt']) {
    const name = 'tessera_extender_request_duration_seconds';
    const h = histogramDelta(histogram(after, name, { verb }), histogram(before, name, { verb }));
    if (h.count > 0) verbs[verb] = { count: h.count, totalMs: 1000 * h.sum, meanMs: (1000 * h.sum) / h.count, p50Ms: 1000 * histogramQuantile(h, 0.5), p99Ms: 1000 * histogramQuantile(h, 0.99) };
  }
  // prom-client resets its event-loop delay histogram on every scrape: `after` covers the round.
  const lag = (suffix: string): number => 1000 * gaugeValue(after, `nodejs_eventloop_lag_${suffix}_seconds`);
  const nominations: Record<string, number> = {};
  for (const x of after) {
    if (x.name !== 'tessera_nominations_total') continue;
    const result = x.labels['result'] ?? '';
    const b = before.find((y) => y.name === x.name && y.labels['result'] === result)?.value ?? 0;
    if (x.value - b > 0) nominations[result] = x.value - b;
  }
  return {
    nominations,
    rssPeakMiB: peakRss / MIB,
    rssEndMiB: rssEnd / MIB,
    heapUsedMiB: gaugeValue(after, 'nodejs_heap_size_used_bytes') / MIB,
    heapTotalMiB: gaugeValue(after, 'nodejs_heap_size_total_bytes') / MIB,
    eventLoopDelayMs: { p50: lag('p50'), p99: lag('p99'), max: lag('max'), mean: lag('mean') },
    verbs,
  };
}

/** GET a /metrics page (kube-scheduler's own certificate is self-signed: not checked, loopback only). */
function scrape(url: string): Promise<PromSample[]> {
  if (url.startsWith('http://')) return fetch(url).then(async (r) => parsePrometheusText(await r.text()));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { rejectUnauthorized: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(parsePrometheusText(text)) : reject(new Error(`GET ${url} answered ${String(res.statusCode)}: ${text.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

function readLog(file: string): string {
  return readFileSync(file, 'utf8');
}

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f0 = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '-');

/** A round's figures as printed lines. */
export function formatRound(r: RoundResult): string[] {
  const lines = [
    `round ${String(r.round)} ${r.setup}: ${String(r.bound)}/${String(r.pods)} bound in ${f0(r.wallSeconds)} s; steady 10-90 %: ${f1(r.throughput)} pods/s ` +
      `(created at ${f0(r.createRate)} pods/s); creation to bound p50 ${f0(r.latencyP50Ms)} ms, p99 ${f0(r.latencyP99Ms)} ms; load average ${f1(r.loadAverage)}`,
    `  CPU seconds per 1,000 pods (above idle): ${Object.entries(r.cpuSeconds).map(([k, v]) => `${k} ${f1((1000 * v) / r.pods)}`).join(', ')}`,
    `  run-queue wait (runnable, waiting for a core), seconds per 1,000 pods: ${Object.entries(r.runQueueSeconds).map(([k, v]) => `${k} ${f1((1000 * v) / r.pods)}`).join(', ')}`,
  ];
  const s = r.scheduler;
  const cycles = Math.max(1, s['algorithm']?.count ?? 0);
  // Extension points are observed once per cycle that reaches them (Score not at all when one node is feasible):
  // spread each over every cycle, so that the parts add up to the algorithm's time.
  const perCycle = (k: string): number => (s[k]?.totalMs ?? 0) / cycles;
  const inTree = ['PreFilter', 'Filter', 'PreScore', 'Score'].reduce((t, k) => t + perCycle(k), 0);
  lines.push(
    `  kube-scheduler, ms per scheduling cycle (${String(s['algorithm']?.count ?? 0)} cycles): attempt ${f1(s['attempt']?.meanMs ?? NaN)} (p99 ${f0(s['attempt']?.p99Ms ?? NaN)}), ` +
      `algorithm ${f1(s['algorithm']?.meanMs ?? NaN)} (p50 ${f1(s['algorithm']?.p50Ms ?? NaN)}, p99 ${f0(s['algorithm']?.p99Ms ?? NaN)}) = PreFilter ${f1(perCycle('PreFilter'))} + Filter ${f1(perCycle('Filter'))} + ` +
      `PreScore ${f1(perCycle('PreScore'))} + Score ${f1(perCycle('Score'))} + extender calls and the rest ${f1((s['algorithm']?.meanMs ?? NaN) - inTree)}; ` +
      `Reserve ${f1(perCycle('Reserve'))}; pod SLI p50 ${f0(s['sli']?.p50Ms ?? NaN)} ms, p99 ${f0(s['sli']?.p99Ms ?? NaN)} ms; ` +
      `attempts ${Object.entries(r.attempts).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`,
  );
  lines.push(`  API requests per pod: ${Object.entries(r.apiRequests).filter(([, n]) => n / r.pods >= 0.05).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${(n / r.pods).toFixed(2)}`).join(', ')}`);
  if (r.tessera !== null) {
    const t = r.tessera;
    lines.push(
      `  tessera: RSS peak ${f0(t.rssPeakMiB)} MiB, end ${f0(t.rssEndMiB)} MiB (V8 heap used ${f0(t.heapUsedMiB)} of ${f0(t.heapTotalMiB)} MiB); event-loop delay p50 ${f1(t.eventLoopDelayMs.p50)} ms, p99 ${f1(t.eventLoopDelayMs.p99)} ms, max ${f0(t.eventLoopDelayMs.max)} ms; ` +
        Object.entries(t.verbs).map(([v, x]) => `${v} mean ${f1(x.meanMs)} ms p99 ${f1(x.p99Ms)} ms (${String(x.count)})`).join(', ') +
        (Object.keys(t.nominations).length > 0 ? `; nominations ${Object.entries(t.nominations).map(([k, v]) => `${k} ${String(v)}`).join(', ')}` : ''),
    );
  }
  if (r.violations.length > 0) lines.push(`  VIOLATIONS: ${r.violations.slice(0, 10).join('; ')}`);
  return lines;
}

/** The median of `xs` (NaN when empty). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The summary: per setup, median throughput and its ratio to kube-scheduler alone; the closing ratio line. */
export function formatSummary(report: ThroughputReport): string[] {
  const { options } = report;
  const by = new Map<string, RoundResult[]>();
  for (const r of report.rounds) by.set(r.setup, [...(by.get(r.setup) ?? []), r]);
  const alone = median((by.get('alone') ?? []).map((r) => r.throughput));
  const lines = [`summary (${report.fleet}; ${String(options.pods)} pods, arrival ${options.arrival}; kube-scheduler clientConnection qps ${String(options.qps)}, burst ${String(options.burst)}):`];
  for (const [setup, rs] of by) {
    const x = median(rs.map((r) => r.throughput));
    const perRound = rs.map((r) => {
      const a = report.rounds.find((q) => q.setup === 'alone' && q.round === r.round);
      return a === undefined ? '' : (r.throughput / a.throughput).toFixed(2);
    }).filter((s) => s !== '');
    lines.push(`  ${setup}: ${rs.map((r) => f1(r.throughput)).join(', ')} pods/s (median ${f1(x)}); x alone ${(x / alone).toFixed(2)}${perRound.length > 0 ? ` (per round ${perRound.join(', ')})` : ''}; ` +
      `p50 ${rs.map((r) => f0(r.latencyP50Ms)).join('/')} ms, p99 ${rs.map((r) => f0(r.latencyP99Ms)).join('/')} ms` +
      (rs[0]?.tessera !== null && rs[0]?.tessera !== undefined ? `; RSS peak ${rs.map((r) => f0(r.tessera?.rssPeakMiB ?? NaN)).join('/')} MiB` : ''));
  }
  const tess = median((by.get('tessera') ?? []).map((r) => r.throughput));
  lines.push(`throughput ratio ${(tess / alone).toFixed(2)} (tessera ${f1(tess)} pods/s, kube-scheduler alone ${f1(alone)} pods/s, ${String(options.nodes)} nodes, ${String(options.pods)} pods)`);
  return lines;
}
