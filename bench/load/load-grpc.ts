/**
 * gRPC load on tessera.v1.SchedulerService with a driver on @grpc/grpc-js, against a server this script starts on a
 * simulated fleet (load-server.ts, in its own process). The scenario file states the concurrency, the duration,
 * the request mix and the thresholds; the run fails (exit 1) when a threshold is missed.
 *
 *   npm run load:grpc -- [bench/load/grpc.scenario.yaml] [--duration S] [--warmup S] [--connections N | --sweep 1,2,4]
 *                        [--rate R | --rates R,S]
 *
 * The same mix as load-http.ts: each connection (its own channel, so its own HTTP/2 connection) loops over the
 * scenario's cycle: per pair, Filter with a fresh pod and the candidates' names, Prioritize with the names Filter
 * passed, then Bind to the best-scored node. Like autocannon, the driver sends prepared bytes (a request is the pod
 * field followed by the prepared names field) and reads only what it needs from the answers' bytes (the names
 * Filter passed, the best score), so that the client's own work is about what it is over HTTP. Latency is taken per
 * call, from the call to its answer. Ends with the line `requests N, errors E, rps R, p50 X ms, p99 Y ms` (the
 * chosen run's, with --sweep).
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Client, credentials, type ServiceError } from '@grpc/grpc-js';
import { fileURLToPath } from 'node:url';
import { BindRequestSchema, BindResponseSchema } from '../../src/server/grpc/gen/tessera/v1/scheduler_pb.js';
import {
  cycleOf, LoadPods, LoadRecorder, pairKinds, report, runLoadScript, type LoadResult, type LoadServer,
  type LoadVerb,
} from './load-run.js';
import type { LoadLevel, Scenario } from './scenario.js';

const SERVICE = '/tessera.v1.SchedulerService';
/** The client's HTTP/2 flow-control window (connection and streams): 16 MiB, as gRPC-Go's largest. */
const FLOW_CONTROL_WINDOW = 16 * 1024 * 1024;
const same = (b: Buffer): Buffer => b;
const ms = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited field: its tag byte (field number << 3 | 2), the length, the bytes. */
export function lengthDelimited(tag: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), varint(bytes.length), bytes]);
}

/** NodeNames' payload: each name as field 1. */
export function namesPayload(names: readonly string[]): Buffer {
  return Buffer.concat(names.map((n) => lengthDelimited(0x0a, Buffer.from(n))));
}

/** Where the last readVarint stopped (scratch, so that scanning an answer allocates nothing per field). */
let varintEnd = 0;

/** The varint at `at` (sets varintEnd). */
function readVarint(b: Buffer, at: number): number {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const byte = b[i] as number;
    i += 1;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) {
      varintEnd = i;
      return value;
    }
    shift += 7;
  }
}

/** The `node_names` entries (field 1) of FilterResponse bytes, as NodeNames' payload (the same bytes). */
export function passedNames(answer: Buffer): Buffer {
  const parts: Buffer[] = [];
  let runStart = -1;
  let runEnd = -1;
  let i = 0;
  while (i < answer.length) {
    const tag = readVarint(answer, i);
    const length = readVarint(answer, varintEnd);
    if ((tag & 7) !== 2) throw new Error(`unexpected wire type in a FilterResponse: tag ${tag}`);
    const end = varintEnd + length;
    if (tag === 0x0a) {
      // The entries usually stand together: one slice per run, not one per name.
      if (runEnd !== i) {
        if (runStart >= 0) parts.push(answer.subarray(runStart, runEnd));
        runStart = i;
      }
      runEnd = end;
    }
    i = end;
  }
  if (runStart >= 0) parts.push(answer.subarray(runStart, runEnd));
  return parts.length === 1 ? parts[0] as Buffer : Buffer.concat(parts);
}

/** The first host with the highest score in PrioritizeResponse bytes ('' when none scores above 0). */
export function bestHost(answer: Buffer): string {
  let bestStart = 0;
  let bestEnd = 0;
  let bestScore = 0;
  let i = 0;
  while (i < answer.length) {
    readVarint(answer, i);
    const length = readVarint(answer, varintEnd);
    const end = varintEnd + length;
    let hostStart = 0;
    let hostEnd = 0;
    let score = 0;
    let j = varintEnd;
    while (j < end) {
      const tag = readVarint(answer, j);
      if (tag === 0x0a) {
        const n = readVarint(answer, varintEnd);
        hostStart = varintEnd;
        hostEnd = hostStart + n;
        j = hostEnd;
      } else {
        const value = readVarint(answer, varintEnd);
        if (tag === 0x10) score = value;
        j = varintEnd;
      }
    }
    if (score > bestScore) {
      bestScore = score;
      bestStart = hostStart;
      bestEnd = hostEnd;
    }
    i = end;
  }
  return bestScore === 0 ? '' : answer.toString('utf8', bestStart, bestEnd);
}

/** One connection's loop until `running()` turns false. */
async function connectionLoop(scenario: Scenario, client: Client, rec: LoadRecorder, running: () => boolean, prepared: {
  readonly cycle: readonly number[]; readonly lists: readonly (readonly Buffer[])[]; readonly turns: number[]; readonly pods: LoadPods;
  /** Paced: waits until the next pair may start (shared by the connections), else null. */
  readonly pace: (() => Promise<void>) | null;
}): Promise<void> {
  const call = (verb: LoadVerb, method: string, request: Buffer): Promise<Buffer | null> => new Promise((resolve) => {
    const sent = process.hrtime.bigint();
    client.makeUnaryRequest(`${SERVICE}/${method}`, same, same, request, (err: ServiceError | null, answer?: Buffer) => {
      const took = ms(sent);
      if (err !== null || answer === undefined) {
        rec.request(verb, took, err === null ? 'no answer' : `${err.code} ${err.details}`);
        resolve(null);
        return;
      }
      rec.request(verb, took);
      resolve(answer);
    });
  });
  while (running()) {
    for (const k of prepared.cycle) {
      if (prepared.pace !== null) await prepared.pace();
      if (!running()) return;
      const { uid, json } = prepared.pods.next(0);
      const pod = lengthDelimited(0x0a, Buffer.from(json));
      const lists = prepared.lists[k] as readonly Buffer[];
      const turn = prepared.turns[k] as number;
      prepared.turns[k] = turn + 1;
      const started = process.hrtime.bigint();
      const filtered = await call('filter', 'Filter', Buffer.concat([pod, lists[turn % lists.length] as Buffer]));
      if (filtered === null) continue;
      const passed = passedNames(filtered);
      if (passed.length === 0) {
        rec.infeasible();
        continue;
      }
      const scored = await call('prioritize', 'Prioritize', Buffer.concat([pod, Buffer.from([0x12]), varint(passed.length), passed]));
      if (scored === null) continue;
      rec.pair(ms(started));
      const best = bestHost(scored);
      if (!scenario.mix.bindAfterPair || best === '') continue;
      const request = toBinary(BindRequestSchema, create(BindRequestSchema, { podName: uid, podNamespace: 'default', podUid: uid, node: best }));
      const bound = await call('bind', 'Bind', Buffer.from(request));
      if (bound !== null && fromBinary(BindResponseSchema, bound).error !== '') rec.bindRefused();
    }
  }
}

/** Evenly spaced pair starts at `pairsPerSecond` over all connections (no catching up after a slow pair). */
function pacer(pairsPerSecond: number): () => Promise<void> {
  const gapMs = 1000 / pairsPerSecond;
  let next = performance.now();
  return () => {
    const now = performance.now();
    const at = Math.max(next, now);
    next = at + gapMs;
    return at <= now ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, at - now));
  };
}

/** One measured run at `level` against `server`. */
async function runOnce(scenario: Scenario, server: LoadServer, level: LoadLevel): Promise<LoadResult> {
  const { connections, pairsPerSecond } = level;
  const rec = new LoadRecorder();
  const kinds = pairKinds(scenario);
  const prepared = {
    cycle: cycleOf(kinds),
    lists: kinds.map((kind) => kind.windows.map((w) => lengthDelimited(0x12, namesPayload(w)))),
    turns: kinds.map(() => 0),
    pods: new LoadPods(7),
    pace: pairsPerSecond === null ? null : pacer(pairsPerSecond),
  };
  // One channel per connection; a local subchannel pool keeps grpc-js from sharing one connection among them.
  const clients = Array.from({ length: connections }, () => new Client(server.grpc, credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1, 'grpc.max_receive_message_length': -1,
    // As a lean production client would set them: no channelz statistics, no buffering of requests for retries,
    // and an HTTP/2 window that takes a 5,000-node answer (about 250 KB) without waiting for window updates.
    'grpc.enable_channelz': 0, 'grpc.enable_retries': 0, 'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW,
  }));
  const before = await server.stats();
  let running = true;
  const { warmupSeconds, durationSeconds } = scenario.load;
  const warm = setTimeout(() => {
    rec.start();
    void server.stats(); // the server's own times count from here too
  }, warmupSeconds * 1000);
  const end = setTimeout(() => {
    running = false;
    rec.stop();
  }, (warmupSeconds + durationSeconds) * 1000);
  try {
    await Promise.all(clients.map((client) => connectionLoop(scenario, client, rec, () => running, prepared)));
  } finally {
    clearTimeout(warm);
    clearTimeout(end);
    for (const client of clients) client.close();
  }
  const after = await server.stats();
  return report(scenario, level, rec, { ...after, binds: after.binds - before.binds, releases: after.releases - before.releases });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  runLoadScript('grpc', fileURLToPath(new URL('./grpc.scenario.yaml', import.meta.url)), runOnce);
}
