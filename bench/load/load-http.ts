/**
 * HTTP load on Tessera's extender verbs with autocannon (npm, MIT), against a server this script starts on a
 * simulated fleet (load-server.ts, in its own process). The scenario file states the concurrency, the duration,
 * the request mix and the thresholds; the run fails (exit 1) when a threshold is missed.
 *
 *   npm run load:http -- [bench/load/http.scenario.yaml] [--duration S] [--warmup S] [--connections N | --sweep 1,2,4]
 *                        [--rate R | --rates R,S]
 *
 * Each autocannon connection loops over the scenario's cycle: per pair, POST /scheduler/filter with a fresh pod
 * and the candidates' NodeNames (compact JSON, NodeNames last, as kube-scheduler sends it), POST
 * /scheduler/prioritize with the nodes filter passed, then POST /scheduler/bind to the best-scored node. Latency
 * is taken per request from just before it is sent to its full answer. Ends with the line
 * `requests N, errors E, rps R, p50 X ms, p99 Y ms` (the chosen run's, with --sweep).
 */
import autocannon from 'autocannon';
import { fileURLToPath } from 'node:url';
import {
  cycleOf, LoadPods, LoadRecorder, pairKinds, report, runLoadScript, type LoadResult, type LoadServer,
  type PairKind,
} from './load-run.js';
import type { LoadLevel, Scenario } from './scenario.js';

type RequestStep = NonNullable<Parameters<typeof autocannon>[0]['requests']>[number];

/** Per-connection state of one pair (autocannon's context: cleared at the start of each cycle). */
interface PairContext {
  uid?: string;
  pod?: string;
  sentAt?: bigint;
  filterSentAt?: bigint;
  survivors?: string;
  best?: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const ms = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

/** The first host with the highest score in a HostPriorityList answer (scores are written ` 7` or `10`). */
export function bestHost(body: string): string {
  for (let score = 10; score >= 1; score -= 1) {
    let at = body.indexOf(`"Score":${String(score).padStart(2, ' ')}}`);
    if (at < 0) at = body.indexOf(`"Score":${score}}`);
    if (at < 0) continue;
    const start = body.lastIndexOf('"Host":"', at) + 8;
    return JSON.parse(`"${body.slice(start, body.indexOf('","Score"', start))}"`) as string;
  }
  return '';
}

/** The autocannon request steps of one cycle. */
function steps(scenario: Scenario, kinds: readonly PairKind[], rec: LoadRecorder): RequestStep[] {
  const pods = new LoadPods(7);
  const turns = kinds.map(() => 0);
  const windows = kinds.map((kind) => kind.windows.map((w) => JSON.stringify(w)));
  const out: RequestStep[] = [];
  for (const k of cycleOf(kinds)) {
    out.push({
      method: 'POST', path: '/scheduler/filter', headers: JSON_HEADERS,
      setupRequest: (req, context) => {
        const c = context as PairContext;
        const { uid, json } = pods.next(0);
        const list = windows[k] as string[];
        const turn = turns[k] as number;
        turns[k] = turn + 1;
        c.uid = uid;
        c.pod = json;
        c.filterSentAt = c.sentAt = process.hrtime.bigint();
        return { ...req, body: `{"Pod":${json},"Nodes":null,"NodeNames":${list[turn % list.length] as string}}` };
      },
      onResponse: (status, body, context) => {
        const c = context as PairContext;
        const took = ms(c.sentAt as bigint);
        c.survivors = undefined;
        if (status !== 200 || !body.endsWith('"Error":""}')) {
          rec.request('filter', took, `HTTP ${status}: ${body.slice(0, 200)}`);
          return;
        }
        rec.request('filter', took);
        const survivors = /"NodeNames":(\[[^\]]*\])/.exec(body)?.[1];
        if (survivors === undefined || survivors === '[]') rec.infeasible();
        else c.survivors = survivors;
      },
    });
    out.push({
      method: 'POST', path: '/scheduler/prioritize', headers: JSON_HEADERS,
      setupRequest: (req, context) => {
        const c = context as PairContext;
        if (c.survivors === undefined) return null; // nothing passed filter: skip the rest of this cycle
        c.sentAt = process.hrtime.bigint();
        return { ...req, body: `{"Pod":${c.pod as string},"Nodes":null,"NodeNames":${c.survivors}}` };
      },
      onResponse: (status, body, context) => {
        const c = context as PairContext;
        const took = ms(c.sentAt as bigint);
        c.best = undefined;
        if (status !== 200) {
          rec.request('prioritize', took, `HTTP ${status}: ${body.slice(0, 200)}`);
          return;
        }
        rec.request('prioritize', took);
        rec.pair(ms(c.filterSentAt as bigint));
        c.best = bestHost(body);
      },
    });
    if (!scenario.mix.bindAfterPair) continue;
    out.push({
      method: 'POST', path: '/scheduler/bind', headers: JSON_HEADERS,
      setupRequest: (req, context) => {
        const c = context as PairContext;
        if (c.best === undefined || c.best === '') return null;
        c.sentAt = process.hrtime.bigint();
        return { ...req, body: JSON.stringify({ PodName: c.uid, PodNamespace: 'default', PodUID: c.uid, Node: c.best }) };
      },
      onResponse: (status, body, context) => {
        const took = ms((context as PairContext).sentAt as bigint);
        if (status !== 200) {
          rec.request('bind', took, `HTTP ${status}: ${body.slice(0, 200)}`);
          return;
        }
        rec.request('bind', took);
        if (body !== '{"Error":""}') rec.bindRefused();
      },
    });
  }
  return out;
}

/** One measured run at `level` against `server`. */
async function runOnce(scenario: Scenario, server: LoadServer, level: LoadLevel): Promise<LoadResult> {
  const { connections, pairsPerSecond } = level;
  // autocannon paces requests, capping each connection's per second: a pair is filter, prioritize and (maybe) bind.
  const overallRate = pairsPerSecond === null ? undefined : Math.max(connections, Math.round(pairsPerSecond * (scenario.mix.bindAfterPair ? 3 : 2)));
  const rec = new LoadRecorder();
  const kinds = pairKinds(scenario);
  const { warmupSeconds, durationSeconds } = scenario.load;
  const before = await server.stats();
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon({
      url: server.http, connections, pipelining: 1, timeout: 10, duration: warmupSeconds + durationSeconds,
      ...(overallRate === undefined ? {} : { overallRate }),
      requests: steps(scenario, kinds, rec),
    }, (err) => {
      clearTimeout(warm);
      rec.stop();
      if (err === null) resolve();
      else reject(err);
    });
    instance.on('reqError', (err: Error) => rec.request('filter', 0, `connection: ${err.message}`));
    const warm = setTimeout(() => {
      rec.start();
      void server.stats(); // the server's own times count from here too
    }, warmupSeconds * 1000);
  });
  const after = await server.stats();
  return report(scenario, level, rec, { ...after, binds: after.binds - before.binds, releases: after.releases - before.releases });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  runLoadScript('http', fileURLToPath(new URL('./http.scenario.yaml', import.meta.url)), runOnce);
}
