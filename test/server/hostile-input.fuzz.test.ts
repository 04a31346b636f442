import { Agent, request } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { inject } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/server/http/http-handler.js';
import { RequestLimits } from '../../src/server/http/request-limits.js';
import { nodesView } from '../../src/server/nodes-view.js';
import { SILENT_LOGGER } from '../../src/telemetry/logger.js';
import { DEFAULT_CONFIG } from '../../src/config/config-schema.js';
import { kubePod } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

/**
 * Fuzz: 100,000 generated bodies across the four verbs, in process through the verb server's handler (and
 * 2,000 over real sockets). Never a 5xx, never an answer later than the request timeout, no state change from
 * a rejected body (every bind here names a pod Tessera never saw, so the allocations must end as they began).
 * Then a Tessera process of its own takes 12,000 of them over real sockets, and its RSS must end within 20 % of
 * where it was after a warm-up (measured apart from the fuzzer, whose own memory would blur it). Every filter and prioritize body also goes through a handler that
 * reads it on the plain JSON path only; its answer must equal the byte fast path's, status and body.
 */
const SEED = 20261123;
const RUNS_PER_VERB = Number(process.env.FUZZ_RUNS ?? 25_000);
const ANSWER_WITHIN_MS = DEFAULT_CONFIG.requestTimeoutSeconds * 1000;


let t: TestServer;
let auto: Parameters<typeof inject>[0];
let plain: Parameters<typeof inject>[0];
beforeAll(async () => {
  t = await startTestServer();
  const { service, cache, metrics } = t.server;
  const deps = {
    service, urlPrefix: '/scheduler', limits: new RequestLimits(DEFAULT_CONFIG, () => cache.nodeCount),
    requestTimeoutMs: ANSWER_WITHIN_MS, metrics, log: SILENT_LOGGER, ready: () => cache.synced,
  };
  auto = createHttpHandler(deps);
  plain = createHttpHandler({ ...deps, argsPath: 'plain' });
});
afterAll(async () => {
  await t.close();
});

const KNOWN = ['h100-0', 'h100-3', 'a100-0', 'a100-2', 'l4-0', 'l4-7'];
const nameArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN) },
  { weight: 2, arbitrary: fc.constantFrom('ghost', 'nœud-ü', 'a"b', 'a\\b', '', ' h100-0', 'h100-0 ', 'h100-0\u0000') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const quantityArb = fc.oneof(
  fc.constantFrom('1', '2', '4', '8', '+1', ' 1', '1 ', '500', '250', '500m', '10Gi', '8Gi', '.', 'Ki', 'Pi', '1e3', '1e999', '-1', '0x10', 'lots', '1.5', ''),
  fc.integer({ min: -10, max: 100 }),
  fc.double(),
  fc.string({ maxLength: 6 }),
  fc.constant(null),
  fc.constant(true),
);
const resourcesArb = fc.dictionary(
  fc.constantFrom('nvidia.com/gpu', 'tessera.io/gpu', 'tessera.io/gpu-memory', 'tessera.io/gpu-compute', 'tessera.io/gpu-replica', 'tessera.io/mig-3g.40gb', 'nvidia.com/mig-1g.10gb', 'cpu', 'memory'),
  quantityArb, { maxKeys: 3 },
);
const annotationsArb = fc.dictionary(
  fc.constantFrom('tessera.io/gpu-model', 'tessera.io/topology', 'tessera.io/interruptible', 'tessera.io/group', 'note'),
  fc.oneof(fc.constantFrom('H100', 'A100|L4', 'L4', 'nvlink-required', 'numa', 'true', 'false', 'g1'), fc.string({ maxLength: 8 })),
  { maxKeys: 3 },
);
const podArb = fc.record({
  uid: fc.constantFrom('fuzz-pod-1', 'fuzz-pod-2', 'fuzz-pod-3'),
  name: fc.constantFrom('p', 'q'),
  requests: resourcesArb, annotations: annotationsArb,
  priority: fc.oneof(fc.integer({ min: -5, max: 2_000_000_000 }), fc.constant(1.5), fc.constant('high')),
}).map(({ uid, name, requests, annotations, priority }) => {
  const pod = kubePod({ name, uid, annotations, priority: priority as number });
  const spec = pod['spec'] as { containers: { resources: object }[] };
  (spec.containers[0] as { resources: object }).resources = { requests, limits: requests };
  return pod;
});
const jsonJunk = fc.jsonValue({ maxDepth: 3 });

/** A body's text: kube-scheduler's layout, another layout, or a damaged one. */
function layout(value: unknown, how: number, cut: number, ch: string, depth: number): string {
  const compact = JSON.stringify(value) ?? 'null';
  switch (how) {
    case 0: case 1: case 2: case 3: return compact;
    case 4: return JSON.stringify(value, null, 1) ?? 'null';
    case 5: { // NodeNames first
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return compact;
      const { NodeNames, ...rest } = value as Record<string, unknown>;
      return JSON.stringify({ NodeNames, ...rest });
    }
    case 6: return compact.slice(0, Math.floor(cut * compact.length));
    case 7: { const at = Math.floor(cut * compact.length); return compact.slice(0, at) + ch + compact.slice(at); }
    case 8: { const at = Math.floor(cut * compact.length); return compact.slice(0, at) + compact.slice(at + 1); }
    case 9: return `${'['.repeat(depth)}${compact}${']'.repeat(depth)}`;
    case 10: return `${compact}  \n`;
    default: return compact.replace('"Pod":', `"Pod":${'{"x":'.repeat(depth)}1${'}'.repeat(depth)},"Pod":`);
  }
}
const damage = fc.record({
  how: fc.integer({ min: 0, max: 11 }), cut: fc.double({ min: 0, max: 1, noNaN: true }),
  ch: fc.constantFrom('"', ',', '\\', '}', ']', '\u0000', 'x', ' '), depth: fc.constantFrom(1, 50, 200, 20_000),
  type: fc.oneof({ weight: 20, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/json; charset=utf-8', '') }),
});

const namesListArb = fc.oneof(
  { weight: 8, arbitrary: fc.array(nameArb, { maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 1200 }).map((n) => Array.from({ length: n }, (_, i) => KNOWN[i % KNOWN.length] as string)) },
);
const extenderArgsArb = fc.oneof(
  { weight: 8, arbitrary: fc.record({ Pod: podArb, Nodes: fc.constant(null), NodeNames: namesListArb }) },
  { weight: 1, arbitrary: fc.record({ Pod: podArb, Nodes: fc.record({ metadata: fc.constant({}), items: fc.array(fc.record({ metadata: fc.record({ name: nameArb }) }), { maxLength: 3 }) }), NodeNames: fc.constant(null) }) },
  { weight: 1, arbitrary: jsonJunk },
);
const bindArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ PodName: fc.constantFrom('p', 'q', ''), PodNamespace: fc.constantFrom('default', ''), PodUID: fc.constantFrom('fuzz-bind-1', 'fuzz-bind-2', ''), Node: nameArb }) },
  { weight: 1, arbitrary: jsonJunk },
);
const preemptArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ Pod: podArb, NodeNameToVictims: fc.constant(null), NodeNameToMetaVictims: fc.dictionary(nameArb, fc.record({ Pods: fc.array(fc.record({ UID: fc.string({ maxLength: 6 }) }), { maxLength: 2 }), NumPDBViolations: fc.integer({ min: -1, max: 3 }) }), { maxKeys: 4 }) }) },
  { weight: 1, arbitrary: jsonJunk },
);

interface Answer { readonly status: number; readonly body: string; readonly ms: number }
async function send(handler: Parameters<typeof inject>[0], path: string, body: string, type: string): Promise<Answer> {
  const started = Date.now();
  const r = await inject(handler, { method: 'POST', url: path, payload: body, headers: type === '' ? {} : { 'content-type': type } });
  return { status: r.statusCode, body: r.payload, ms: Date.now() - started };
}
const comparable = (a: Answer): unknown => {
  try {
    return { status: a.status, body: JSON.parse(a.body) as unknown };
  } catch {
    return { status: a.status, text: a.body };
  }
};

function allocations(): string {
  const { cache } = t.server;
  return JSON.stringify(nodesView(cache.nodeViews(), { cluster: 'sim', synced: cache.synced, version: 0 }));
}

let totalBodies = 0;
let allocationsBefore = '';

describe('fuzz: 100,000 generated bodies across the four verbs', () => {
  it('records the allocations it starts from', () => {
    allocationsBefore = allocations();
    expect(allocationsBefore).toMatch(/"nodes":\[\{/);
  });

  it.each([
    ['filter', extenderArgsArb],
    ['prioritize', extenderArgsArb],
  ] as const)('%s: never a 5xx or a late answer, nothing changes, and the byte fast path answers as the plain JSON path', async (verb, arb) => {
    const path = `/scheduler/${verb}`;
    await fc.assert(fc.asyncProperty(arb, damage, async (value, d) => {
      const body = layout(value, d.how, d.cut, d.ch, d.depth);
      const version = t.server.cache.version;
      const fast = await send(auto, path, body, d.type);
      const parsed = await send(plain, path, body, d.type);
      totalBodies += 1;
      expect(fast.status).toBeLessThan(500);
      expect(fast.ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect(comparable(fast)).toEqual(comparable(parsed));
      expect(t.server.cache.version).toBe(version);
    }), { numRuns: RUNS_PER_VERB, seed: SEED });
  }, 600_000);

  it.each([
    ['bind', bindArb],
    ['preempt', preemptArb],
  ] as const)('%s: never a 5xx or a late answer, and nothing changes', async (verb, arb) => {
    const path = `/scheduler/${verb}`;
    await fc.assert(fc.asyncProperty(arb, damage, async (value, d) => {
      const body = layout(value, d.how, d.cut, d.ch, d.depth);
      const version = t.server.cache.version;
      const r = await send(auto, path, body, d.type);
      totalBodies += 1;
      expect(r.status).toBeLessThan(500);
      expect(r.ms).toBeLessThan(ANSWER_WITHIN_MS);
      if (verb === 'bind' && r.status === 200) expect(JSON.parse(r.body)).toMatchObject({ Error: expect.stringMatching(/^cannot bind/) as unknown });
      expect(t.server.cache.version).toBe(version);
    }), { numRuns: RUNS_PER_VERB, seed: SEED + 1 });
  }, 600_000);

  it('ends with the allocations it began with, after 100,000 bodies', () => {
    expect(allocations()).toBe(allocationsBefore);
    expect(totalBodies).toBeGreaterThanOrEqual(4 * RUNS_PER_VERB);
  });
});

/** RSS of a process in bytes (Linux /proc). */
const rssOf = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;

describe('fuzz over real sockets against a Tessera process', () => {
  let child: ChildProcess | null = null;
  let url = '';
  let opsUrl = '';
  beforeAll(async () => {
    const root = join(import.meta.dirname, '..', '..');
    child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts'), 'serve', '--cluster', 'sim', '--port', '0', '--ops-port', '0', '--ops-host', '127.0.0.1'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    url = await new Promise<string>((resolve, reject) => {
      let err = '';
      child?.stderr?.on('data', (c: Buffer) => {
        err += c.toString('utf8');
        const m = /"msg":"serving","url":"(http:\/\/[^"]+)\/scheduler","ops":"([^"]+)"/.exec(err);
        if (m !== null) {
          opsUrl = m[2] as string;
          resolve(m[1] as string);
        }
      });
      child?.once('exit', (code) => reject(new Error(`tessera exited ${String(code)}: ${err}`)));
    });
  }, 60_000);
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  /** Sends `n` generated bodies; every answer must be below 500 and come before the request timeout. */
  async function blast(n: number, seed: number): Promise<number> {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const bodies = fc.sample(fc.tuple(fc.constantFrom('filter', 'prioritize', 'bind', 'preempt'), extenderArgsArb, bindArb, preemptArb, damage), { numRuns: n, seed });
    let worst = 0;
    try {
      for (const [verb, args, bind, preempt, d] of bodies) {
        const value = verb === 'bind' ? bind : verb === 'preempt' ? preempt : args;
        const body = layout(value, d.how, d.cut, d.ch, d.depth);
        const started = Date.now();
        const status = await new Promise<number>((resolve, reject) => {
          const req = request(`${url}/scheduler/${verb}`, { method: 'POST', agent, headers: d.type === '' ? {} : { 'content-type': d.type } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end(body);
        });
        worst = Math.max(worst, status);
        expect(Date.now() - started).toBeLessThan(ANSWER_WITHIN_MS);
      }
    } finally {
      agent.destroy();
    }
    return worst;
  }

  it('never answers 5xx, and its RSS ends within 20 % of where it was after a warm-up', async () => {
    const pid = child?.pid as number;
    const inventory = async (): Promise<unknown> => {
      const view = (await (await fetch(`${opsUrl}/api/v1/nodes`)).json()) as { nodes: unknown[] };
      return view.nodes;
    };
    const start = await inventory();
    expect(await blast(2000, SEED + 2)).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = rssOf(pid);
    expect(await blast(10_000, SEED + 3)).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = rssOf(pid);
    console.log(`fuzz over sockets: Tessera RSS ${(before / 2 ** 20).toFixed(0)} MiB after the warm-up, ${(after / 2 ** 20).toFixed(0)} MiB after 10,000 more bodies`);
    expect(after).toBeLessThan(before * 1.2);
    // Every bind named a pod it never saw: the allocations are exactly those it started with.
    expect(await inventory()).toEqual(start);
  }, 300_000);
});
