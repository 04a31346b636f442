import { request as httpRequest, Agent } from 'node:http';
import { DEFAULT_SCHEDULING_OPTIONS, type SchedulingOptions } from '../../src/algorithm/scheduling-options.js';
import type { ClusterSource, NodeObject } from '../../src/cluster/cache/cluster-source.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config-schema.js';
import { createModelParsers, type ModelParsers } from '../../src/server/model-parsers.js';
import { startTesseraServer, type TesseraServer } from '../../src/server/tessera-server.js';
import type { Timers } from '../../src/server/timers.js';
import { SimulatedCluster, type SimulatedClusterOptions } from '../../src/sim/simulated-cluster.js';
import { DEFAULT_FLEET, fleetNodes, type Fleet } from '../../src/sim/simulated-cluster-fleet.js';

let parsers: ModelParsers | null = null;

/** The model parsers over the repo's presets, loaded once per test file. */
export function modelParsers(): ModelParsers {
  parsers ??= createModelParsers();
  return parsers;
}

/** A running server on 127.0.0.1:<free port> over a simulated cluster. */
export interface TestServer {
  readonly server: TesseraServer;
  readonly sim: SimulatedCluster | null;
  readonly url: string;
  /** The ops server (metrics, health, node inventory). */
  readonly opsUrl: string;
  /** POSTs JSON (or a raw string) and returns status, headers and the parsed body (text when not JSON). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<HttpReply>;
  /** GETs from the verb server, or from the ops server for its paths (`/metrics`, `/api/...`, `/dashboard`; `send` too). */
  get(path: string): Promise<HttpReply>;
  send(method: string, path: string, body?: string, headers?: Record<string, string>): Promise<HttpReply>;
  close(): Promise<void>;
}

/** One HTTP answer. */
export interface HttpReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: unknown;
}

/** Options of `startTestServer`. */
export interface TestServerOptions {
  readonly fleet?: Fleet;
  readonly nodes?: readonly NodeObject[];
  readonly source?: ClusterSource;
  readonly config?: Partial<Config>;
  readonly sim?: SimulatedClusterOptions;
  readonly now?: () => number;
  /** Scheduling options (default DEFAULT_SCHEDULING_OPTIONS). */
  readonly options?: SchedulingOptions;
  /** Dashboard history sampling interval (ms); default the server's (one minute). */
  readonly historyIntervalMs?: number;
  /** Clock and timers of preemption and job groups (default the real ones). */
  readonly timers?: Timers;
  /** Allocation changes kept for gRPC WatchAllocations (startTesseraServer's allocationHistory). */
  readonly allocationHistory?: number;
}

/** Starts the real server (real HTTP, real core and parsers) on a loopback port. */
export async function startTestServer(o: TestServerOptions = {}): Promise<TestServer> {
  const p = modelParsers();
  const sim = o.source === undefined ? new SimulatedCluster(o.nodes ?? fleetNodes(o.fleet ?? DEFAULT_FLEET), o.sim) : null;
  const source = o.source ?? (sim as SimulatedCluster);
  const server = await startTesseraServer({
    // Node totals are published only where a test asks (node-capacity-publisher.test.ts): writes to nodes would
    // otherwise land at arbitrary moments of other tests.
    config: { ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, opsHost: '127.0.0.1', opsPort: 0, nodeCapacity: 'node-agent', ...o.config },
    source, options: o.options ?? DEFAULT_SCHEDULING_OPTIONS, parseNode: p.parseNode, parseAllocation: p.parseAllocation,
    waitForSync: true, ...(o.now === undefined ? {} : { now: o.now }),
    ...(o.historyIntervalMs === undefined ? {} : { historyIntervalMs: o.historyIntervalMs }),
    ...(o.timers === undefined ? {} : { timers: o.timers }),
    ...(o.allocationHistory === undefined ? {} : { allocationHistory: o.allocationHistory }),
  });
  const agent = new Agent({ keepAlive: true });
  const send = (method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpReply> =>
    new Promise((resolve, reject) => {
      const base = isOpsPath(path) ? server.opsUrl : server.url;
      const req = httpRequest(`${base}${path}`, {
        method, agent, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = undefined;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    server, sim, url: server.url, opsUrl: server.opsUrl,
    post: (path, body, headers) => send('POST', path, typeof body === 'string' ? body : JSON.stringify(body), headers),
    get: (path) => send('GET', path),
    send,
    close: async () => {
      agent.destroy();
      await server.close(100);
    },
  };
}

/** Paths the ops server serves (metrics, node inventory, showback, dashboard); the rest are the verb server's. */
export function isOpsPath(path: string): boolean {
  return /^\/(metrics|api\/|dashboard)/.test(path);
}
