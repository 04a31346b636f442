import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * A load scenario (bench/load/*.scenario.yaml): the fleet the server simulates, the concurrency and duration, the
 * request mix, and the thresholds that fail the run.
 */
export const ScenarioSchema = z.strictObject({
  name: z.string().min(1),
  transport: z.enum(['http', 'grpc']),
  fleet: z.strictObject({
    /** Simulated nodes (scaledFleet: 1/4 H100, 1/4 A100, 1/2 spot L4). */
    nodes: z.int().min(1).max(20_000),
    /** Pods bound before the run, per node on average (random nodes and shapes), so nodes are partly used. */
    seedPodsPerNode: z.number().min(0).max(8),
  }),
  load: z.strictObject({
    /** Closed loop: this many connections, each sending its next request as soon as the last is answered. */
    connections: z.int().min(1).max(256),
    /**
     * Pacing: at most this many pairs per second over all connections (null: as fast as the connections go). gRPC
     * spaces the pairs evenly; autocannon (HTTP) caps each connection's requests per second.
     */
    pairsPerSecond: z.number().positive().nullable().default(null),
    durationSeconds: z.number().positive(),
    /** Run before the measured part (not counted). */
    warmupSeconds: z.number().min(0),
  }),
  mix: z.strictObject({
    /**
     * One cycle of each connection: per entry, `perCycle` filter+prioritize pairs of a fresh pod over `names`
     * candidates (a window of the fleet's node order, a different one each pair when `names` is below the fleet
     * size), prioritize sent the nodes filter passed, as kube-scheduler does.
     */
    pairs: z.array(z.strictObject({ names: z.int().min(1), perCycle: z.int().min(1) })).min(1),
    /** After each pair, bind the pod to the best-scored node (the first of the highest score). */
    bindAfterPair: z.boolean(),
    /** Releases: once more pods of the load are bound than this, the server deletes the oldest (they "finish"). */
    keepBoundPods: z.int().min(0),
  }),
  thresholds: z.strictObject({
    /** Every request (filter, prioritize, bind): p99 at most this. */
    p99Ms: z.number().positive(),
    /** Failed requests (transport errors, non-200 / non-OK answers) over all requests, at most this. */
    maxErrorRate: z.number().min(0).max(1),
  }),
});

/** A validated scenario. */
export type Scenario = z.infer<typeof ScenarioSchema>;

/** Reads and validates a scenario file; throws naming every bad field. */
export function loadScenario(path: string): Scenario {
  const parsed = ScenarioSchema.safeParse(parseYaml(readFileSync(path, 'utf8')));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new Error(`invalid load scenario ${path}: ${problems}`);
}

/** One run of a sweep: how many connections, paced at how many pairs per second (null: not paced). */
export interface LoadLevel {
  readonly connections: number;
  readonly pairsPerSecond: number | null;
}

/** Command-line overrides shared by both load scripts. */
export interface LoadFlags {
  readonly scenario: Scenario;
  /** The runs, one after the other: every connection count of `--sweep` at every rate of `--rates` (else the scenario's). */
  readonly levels: readonly LoadLevel[];
}

/**
 * `<script> [scenario.yaml] [--duration S] [--warmup S] [--connections N | --sweep N,M,...] [--rate R | --rates R,S,...]
 * [--nodes N] [--keep-bound N] [--p99-ms X] [--max-error-rate X]`: the scenario with the overrides applied (a short
 * run in tests, a sweep for the docs' figures).
 */
export function loadFlags(argv: readonly string[], defaultScenario: string): LoadFlags {
  const flag = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const file = argv[0] !== undefined && !argv[0].startsWith('--') ? argv[0] : defaultScenario;
  const base = loadScenario(file);
  const number = (name: string): number | undefined => {
    const text = flag(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} takes a non-negative number, got ${JSON.stringify(text)}`);
    return value;
  };
  const scenario = ScenarioSchema.parse({
    ...base,
    fleet: { ...base.fleet, nodes: number('--nodes') ?? base.fleet.nodes },
    mix: { ...base.mix, keepBoundPods: number('--keep-bound') ?? base.mix.keepBoundPods },
    thresholds: { p99Ms: number('--p99-ms') ?? base.thresholds.p99Ms, maxErrorRate: number('--max-error-rate') ?? base.thresholds.maxErrorRate },
    load: {
      connections: number('--connections') ?? base.load.connections,
      pairsPerSecond: number('--rate') ?? base.load.pairsPerSecond,
      durationSeconds: number('--duration') ?? base.load.durationSeconds,
      warmupSeconds: number('--warmup') ?? base.load.warmupSeconds,
    },
  });
  const sweep = flag('--sweep');
  const rates = flag('--rates');
  const connections = sweep === undefined ? [scenario.load.connections] : sweep.split(',').map((s) => z.int().min(1).parse(Number(s)));
  const paces = rates === undefined ? [scenario.load.pairsPerSecond] : rates.split(',').map((s) => z.number().positive().parse(Number(s)));
  return { scenario, levels: connections.flatMap((c) => paces.map((pairsPerSecond) => ({ connections: c, pairsPerSecond }))) };
}
