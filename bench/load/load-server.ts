/**
 * The server side of the load scripts, run as a child process by load-http.ts and load-grpc.ts (so the load
 * generator's work does not land on the server's thread): Tessera on loopback, HTTP and, with `--grpc`, gRPC, over
 * a simulated fleet (scaledFleet) seeded with bound pods. Releases: once more pods of the load (uid `load-…`) are
 * bound than `--keep-bound`, each bind deletes the oldest, so the fleet never fills however long the run.
 *
 *   (forked) load-server.ts --nodes 5000 --seed-pods-per-node 1.5 --keep-bound 2000 [--grpc]
 *
 * Messages: it sends `{type: 'ready', http, grpc, seeded}`; it answers `{type: 'stats'}` with
 * `{type: 'stats', binds, releases, serverMs, cpuMs}` (the server's own time per verb and its CPU time since the last
 * stats) and exits 0 on
 * `{type: 'stop'}`.
 */
import { DEFAULT_SCHEDULING_OPTIONS } from '../../src/algorithm/scheduling-options.js';
import type { PodBinding } from '../../src/cluster/cache/cluster-source.js';
import { DEFAULT_CONFIG } from '../../src/config/config-schema.js';
import { createModelParsers } from '../../src/server/model-parsers.js';
import { startTesseraServer } from '../../src/server/tessera-server.js';
import { SimulatedCluster } from '../../src/sim/simulated-cluster.js';
import { fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';
import { kubePod } from '../../test/server/kube-fixtures.js';
import { mixedGpuRequests, scaledFleet, seededRng } from './load-fleet.js';
import { LOAD_POD_PREFIX, type FromLoadServer, type ToLoadServer } from './load-run.js';

/** The simulated cluster with releases: binds beyond `keep` pods of the load delete the oldest one. */
class ReleasingCluster extends SimulatedCluster {
  private readonly bound: string[] = [];
  binds = 0;
  releases = 0;

  constructor(nodes: ConstructorParameters<typeof SimulatedCluster>[0], private readonly keep: number) {
    super(nodes);
  }

  override async bind(binding: PodBinding): Promise<void> {
    await super.bind(binding);
    if (!binding.uid.startsWith(LOAD_POD_PREFIX)) return;
    this.binds += 1;
    this.bound.push(binding.uid);
    while (this.bound.length > this.keep) {
      this.deletePod(this.bound.shift() as string);
      this.releases += 1;
    }
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const flag = (name: string, fallback: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
  const n = flag('--nodes', 5000);
  const nodes = fleetNodes(scaledFleet(n));
  const cluster = new ReleasingCluster(nodes, flag('--keep-bound', 2000));
  const parsers = createModelParsers();
  const server = await startTesseraServer({
    // gRPC only for the gRPC load: the HTTP figures are those of a server without it.
    config: { ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, grpcHost: '127.0.0.1', grpcPort: argv.includes('--grpc') ? 0 : null },
    source: cluster, options: DEFAULT_SCHEDULING_OPTIONS,
    parseNode: parsers.parseNode, parseAllocation: parsers.parseAllocation, waitForSync: true,
  });
  // Partial allocations bound through the service itself, as bench/extender-latency.ts seeds its fleet.
  const random = seededRng(42);
  const names = nodes.map((x) => x.metadata?.name as string);
  let seeded = 0;
  for (let i = 0; i < n * flag('--seed-pods-per-node', 1.5); i += 1) {
    const node = names[Math.floor(random() * names.length)] as string;
    const uid = `seed-${i}`;
    const pod = kubePod({ name: uid, uid, requests: mixedGpuRequests(random()), annotations: { 'tessera.io/interruptible': 'true' } });
    if ((server.service.filter({ Pod: pod, Nodes: null, NodeNames: [node] } as never).NodeNames ?? []).length === 0) continue;
    const b = await server.service.bind({ PodName: uid, PodNamespace: 'default', PodUID: uid, Node: node });
    if (b.Error === '') seeded += 1;
  }
  // The server's own time per request (read to answer written), as its histograms observe it, per verb.
  let times = new Map<string, number[]>();
  let cpuMark = process.cpuUsage();
  const record = (verb: string, seconds: number): void => {
    const list = times.get(verb) ?? [];
    list.push(seconds * 1000);
    times.set(verb, list);
  };
  for (const [histogram, label] of [[server.metrics.requestDuration, 'verb'], [server.metrics.grpcRequestDuration, 'method']] as const) {
    const observe = histogram.observe.bind(histogram);
    histogram.observe = ((labels: Record<string, string>, seconds: number) => {
      record(String(labels[label]).toLowerCase(), seconds);
      (observe as (l: unknown, v: number) => void)(labels, seconds);
    }) as typeof histogram.observe;
  }
  const send = (m: FromLoadServer): void => void process.send?.(m);
  process.on('message', (m: ToLoadServer) => {
    if (m.type === 'stats') {
      const serverMs: Record<string, [number, number]> = {};
      for (const [verb, list] of times) {
        const sorted = [...list].sort((a, b) => a - b);
        serverMs[verb] = [sorted[Math.floor(sorted.length / 2)] as number, sorted.reduce((a, b) => a + b, 0) / sorted.length];
      }
      times = new Map();
      const cpu = process.cpuUsage(cpuMark);
      cpuMark = process.cpuUsage();
      send({ type: 'stats', binds: cluster.binds, releases: cluster.releases, serverMs, cpuMs: (cpu.user + cpu.system) / 1000 });
      return;
    }
    void server.close(200).then(() => process.exit(0));
  });
  send({ type: 'ready', http: server.url, grpc: server.grpc?.address ?? '', seeded });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`load server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
