import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';
import { kubePod } from '../../test/server/kube-fixtures.js';
import { mixedGpuRequests, scaledFleet, seededRng } from './load-fleet.js';
import { loadFlags, type LoadLevel, type Scenario } from './scenario.js';

/** What the load server tells its parent. */
export type FromLoadServer =
  | { readonly type: 'ready'; readonly http: string; readonly grpc: string; readonly seeded: number }
  | { readonly type: 'stats'; readonly binds: number; readonly releases: number; readonly serverMs: ServerTimes; readonly cpuMs: number };
/** The server's own milliseconds per request since the last stats, per verb: [p50, mean]. */
export type ServerTimes = Readonly<Record<string, readonly [number, number]>>;

/** What the parent tells the load server. */
export type ToLoadServer = { readonly type: 'stats' } | { readonly type: 'stop' };

/** The prefix of the UIDs of the load's pods (the ones the server releases). */
export const LOAD_POD_PREFIX = 'load-';

/** What the load server reports: load pods bound and released so far; its own time per verb and CPU since the last report. */
export interface ServerStats {
  readonly binds: number;
  readonly releases: number;
  readonly serverMs: ServerTimes;
  /** The server process's CPU time (user + system) since the last report, in ms. */
  readonly cpuMs: number;
}

/** A running load server (load-server.ts in a child process). */
export interface LoadServer {
  /** `http://127.0.0.1:<port>`. */
  readonly http: string;
  /** `127.0.0.1:<port>` for gRPC. */
  readonly grpc: string;
  readonly seeded: number;
  /** Binds of load pods and releases so far, and the server's own time per verb since the last call. */
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

/** Starts load-server.ts for `scenario` and waits until it serves. */
export async function startLoadServer(scenario: Scenario): Promise<LoadServer> {
  const script = fileURLToPath(new URL('./load-server.ts', import.meta.url));
  const child: ChildProcess = fork(script, [
    '--nodes', String(scenario.fleet.nodes), '--seed-pods-per-node', String(scenario.fleet.seedPodsPerNode),
    '--keep-bound', String(scenario.mix.keepBoundPods), ...(scenario.transport === 'grpc' ? ['--grpc'] : []),
  ], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...(process.env['LOAD_SERVER_PROF'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env['LOAD_SERVER_PROF']}`])] });
  const next = (): Promise<FromLoadServer> => new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`load server exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as FromLoadServer);
    });
  });
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`unexpected message from the load server: ${JSON.stringify(ready)}`);
  return {
    http: ready.http,
    grpc: ready.grpc,
    seeded: ready.seeded,
    async stats() {
      child.send({ type: 'stats' } satisfies ToLoadServer);
      const m = await next();
      return m.type === 'stats' ? m : { binds: 0, releases: 0, serverMs: {}, cpuMs: 0 };
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' } satisfies ToLoadServer);
      await exited;
    },
  };
}

/** One pair kind of a cycle: the candidate windows it uses in turn. */
export interface PairKind {
  readonly names: number;
  readonly perCycle: number;
  /** Candidate lists used in turn: disjoint windows of the fleet's node order (just the fleet when names >= it). */
  readonly windows: readonly (readonly string[])[];
}

/** The pair kinds of the scenario's cycle over its fleet's node names. */
export function pairKinds(scenario: Scenario): PairKind[] {
  const names = fleetNodes(scaledFleet(scenario.fleet.nodes)).map((n) => n.metadata?.name as string);
  return scenario.mix.pairs.map(({ names: size, perCycle }) => {
    const count = Math.max(1, Math.floor(names.length / size));
    const windows = Array.from({ length: count }, (_, k) => names.slice(k * size, k * size + size));
    return { names: size, perCycle, windows };
  });
}

/** The steps of one cycle, in order: which pair kind each pair is. */
export function cycleOf(kinds: readonly PairKind[]): number[] {
  const steps: number[] = [];
  kinds.forEach((kind, k) => {
    for (let i = 0; i < kind.perCycle; i += 1) steps.push(k);
  });
  return steps;
}

/** Fresh pods for the load: a unique uid per pair and the mixed GPU request shapes, as core/v1 JSON. */
export class LoadPods {
  private readonly random: () => number;
  private counter = 0;

  constructor(seed: number) {
    this.random = seededRng(seed);
  }

  /** The next pod's uid (`load-<connection>-<n>`) and its JSON. */
  next(connection: number): { uid: string; json: string } {
    const uid = `${LOAD_POD_PREFIX}${connection}-${this.counter}`;
    this.counter += 1;
    const pod = kubePod({ name: uid, uid, requests: mixedGpuRequests(this.random()), annotations: { 'tessera.io/interruptible': 'true' } });
    return { uid, json: JSON.stringify(pod) };
  }
}

/** The verbs the load sends. */
export type LoadVerb = 'filter' | 'prioritize' | 'bind';

/** Latencies and outcomes of the measured part of a run (requests answered before `start()` are not kept). */
export class LoadRecorder {
  private measuring = false;
  private startedAt = 0n;
  private stoppedAt = 0n;
  private cpuAtStart: NodeJS.CpuUsage | null = null;
  /** CPU time (ms) this process (the load generator) spent in the measured part. */
  clientCpuMs = 0;
  readonly latencies: Record<LoadVerb, number[]> = { filter: [], prioritize: [], bind: [] };
  readonly pairs: number[] = [];
  errors = 0;
  bindRefusals = 0;
  noFeasibleNode = 0;
  firstError = '';

  /** Starts the measured part. */
  start(): void {
    this.measuring = true;
    this.startedAt = process.hrtime.bigint();
    this.cpuAtStart = process.cpuUsage();
  }

  /** Ends the measured part. */
  stop(): void {
    if (this.measuring) {
      this.stoppedAt = process.hrtime.bigint();
      const used = process.cpuUsage(this.cpuAtStart ?? undefined);
      this.clientCpuMs = (used.user + used.system) / 1000;
    }
    this.measuring = false;
  }

  /** Seconds measured. */
  get seconds(): number {
    return Number((this.stoppedAt === 0n ? process.hrtime.bigint() : this.stoppedAt) - this.startedAt) / 1e9;
  }

  /** A request answered in `ms`; `error` set when it failed. */
  request(verb: LoadVerb, ms: number, error?: string): void {
    if (!this.measuring) return;
    if (error !== undefined) {
      this.errors += 1;
      if (this.firstError === '') this.firstError = `${verb}: ${error}`;
      return;
    }
    this.latencies[verb].push(ms);
  }

  /** A filter+prioritize pair completed in `ms` (both answered OK). */
  pair(ms: number): void {
    if (this.measuring) this.pairs.push(ms);
  }

  /** Bind answered with an error (devices taken by a concurrent bind): the service's answer, not a failed request. */
  bindRefused(): void {
    if (this.measuring) this.bindRefusals += 1;
  }

  /** Filter passed no node (nothing to prioritize or bind). */
  infeasible(): void {
    if (this.measuring) this.noFeasibleNode += 1;
  }
}

/** `3 connection(s)` or `1 connection(s) paced at 150 pairs/s`. */
export function describeLevel(level: LoadLevel): string {
  return `${level.connections} connection(s)${level.pairsPerSecond === null ? '' : ` paced at ${level.pairsPerSecond} pairs/s`}`;
}

/** The p-th percentile of unsorted `values` (nearest rank), or NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** The figures of one run. */
export interface LoadResult {
  readonly level: LoadLevel;
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly pairsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly passed: boolean;
  /** The line every load run ends with. */
  readonly line: string;
}

/**
 * Prints the run's report (pairs, per-verb latencies, binds and releases, thresholds) and returns its figures; the
 * last line printed is `requests N, errors E, rps R, p50 X ms, p99 Y ms`.
 */
export function report(scenario: Scenario, level: LoadLevel, rec: LoadRecorder, server: { binds: number; releases: number; serverMs?: ServerTimes; cpuMs?: number }): LoadResult {
  const all = [...rec.latencies.filter, ...rec.latencies.prioritize, ...rec.latencies.bind];
  const answered = all.length;
  const requests = answered + rec.errors;
  const seconds = rec.seconds;
  const rps = requests / seconds;
  const p50 = percentile(all, 50);
  const p99 = percentile(all, 99);
  const errorRate = requests === 0 ? 1 : rec.errors / requests;
  const ms = (v: number): string => v.toFixed(2);
  const verb = (v: LoadVerb): string => {
    const l = rec.latencies[v];
    return `${v} ${l.length} p50 ${ms(percentile(l, 50))} p99 ${ms(percentile(l, 99))} ms`;
  };
  const { p99Ms, maxErrorRate } = scenario.thresholds;
  const p99Ok = p99 <= p99Ms;
  const errorsOk = errorRate <= maxErrorRate && requests > 0;
  console.log(`${scenario.name} (${scenario.transport}): ${describeLevel(level)}, ${seconds.toFixed(1)} s measured after ${scenario.load.warmupSeconds} s warm-up, fleet ${scenario.fleet.nodes} nodes`);
  console.log(`  pairs ${rec.pairs.length} (${(rec.pairs.length / seconds).toFixed(1)}/s), pair p50 ${ms(percentile(rec.pairs, 50))} p99 ${ms(percentile(rec.pairs, 99))} ms; no feasible node ${rec.noFeasibleNode}`);
  console.log(`  ${verb('filter')}; ${verb('prioritize')}; ${verb('bind')}`);
  const own = Object.entries(server.serverMs ?? {}).filter(([verb]) => ['filter', 'prioritize', 'bind'].includes(verb));
  if (own.length > 0) console.log(`  server's own time per request (p50 / mean): ${own.map(([verb, [p50, mean]]) => `${verb} ${ms(p50)} / ${ms(mean)} ms`).join('; ')}`);
  if (server.cpuMs !== undefined && rec.pairs.length > 0) {
    const perPair = server.cpuMs / rec.pairs.length;
    console.log(`  server CPU ${(server.cpuMs / 1000 / seconds).toFixed(2)} cores, ${ms(perPair)} ms per pair with its bind (${(1000 / perPair).toFixed(0)} pairs/s per core)`);
  }
  if (rec.pairs.length > 0) console.log(`  load generator CPU ${(rec.clientCpuMs / 1000 / seconds).toFixed(2)} cores, ${ms(rec.clientCpuMs / rec.pairs.length)} ms per pair with its bind`);
  console.log(`  binds refused (devices taken by a concurrent bind) ${rec.bindRefusals}; server: load pods bound ${server.binds}, released ${server.releases}`);
  if (rec.firstError !== '') console.log(`  first error: ${rec.firstError}`);
  console.log(`  thresholds: p99 ${ms(p99)} ms <= ${p99Ms} ms ${p99Ok ? 'ok' : 'FAILED'}; error rate ${errorRate.toFixed(4)} <= ${maxErrorRate} ${errorsOk ? 'ok' : 'FAILED'}`);
  const line = `requests ${requests}, errors ${rec.errors}, rps ${rps.toFixed(1)}, p50 ${ms(p50)} ms, p99 ${ms(p99)} ms`;
  return { level, requests, errors: rec.errors, rps, pairsPerSecond: rec.pairs.length / seconds, p50, p99, passed: p99Ok && errorsOk, line };
}

/**
 * Runs `runOnce` for each connection count; with several, prints a summary and picks the run with the most pairs per
 * second among those that met the thresholds. Prints the chosen run's line last and sets the exit code (1 when no
 * run met the thresholds).
 */
export async function runLoad(levels: readonly LoadLevel[], runOnce: (level: LoadLevel) => Promise<LoadResult>): Promise<void> {
  const results: LoadResult[] = [];
  for (const level of levels) {
    const r = await runOnce(level);
    results.push(r);
    if (levels.length > 1) console.log(`  ${r.line}`);
  }
  const passing = results.filter((r) => r.passed);
  const chosen = passing.length === 0 ? results[results.length - 1] as LoadResult
    : passing.reduce((a, b) => (b.pairsPerSecond > a.pairsPerSecond ? b : a));
  if (levels.length > 1) {
    console.log(`sweep: ${results.map((r) => `${describeLevel(r.level)}: ${r.pairsPerSecond.toFixed(1)} pairs/s p99 ${r.p99.toFixed(2)} ms${r.passed ? '' : ' (failed)'}`).join('; ')}`);
    console.log(passing.length === 0 ? 'no run met the thresholds' : `most pairs/s within the thresholds: ${chosen.pairsPerSecond.toFixed(1)} at ${describeLevel(chosen.level)}`);
  }
  console.log(chosen.line);
  process.exitCode = passing.length === 0 ? 1 : 0;
}

/**
 * The main of a load script: reads the scenario (`defaultScenario` unless one is named) and the flags, checks its
 * transport, starts the load server, runs each level with `runOnce`, and stops the server; exits 1 on an error.
 */
export function runLoadScript(
  transport: Scenario['transport'],
  defaultScenario: string,
  runOnce: (scenario: Scenario, server: LoadServer, level: LoadLevel) => Promise<LoadResult>,
): void {
  const main = async (): Promise<void> => {
    const { scenario, levels } = loadFlags(process.argv.slice(2), defaultScenario);
    if (scenario.transport !== transport) throw new Error(`load-${transport} runs ${transport} scenarios, got transport ${scenario.transport}`);
    const server = await startLoadServer(scenario);
    try {
      await runLoad(levels, (level) => runOnce(scenario, server, level));
    } finally {
      await server.stop();
    }
  };
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
}
