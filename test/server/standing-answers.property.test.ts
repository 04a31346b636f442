import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { prefilter } from '../../src/algorithm/cycle-state.js';
import { EvaluationMemo } from '../../src/algorithm/evaluation-memo.js';
import { evaluateNode } from '../../src/algorithm/evaluate-node.js';
import { DEFAULT_SCHEDULING_OPTIONS, type SchedulingOptions } from '../../src/algorithm/scheduling-options.js';
import type { NodeObject } from '../../src/cluster/cache/cluster-source.js';
import { parseGpuRequest, type PodLike } from '../../src/model/parse-gpu-request.js';
import { NodeNamesReader } from '../../src/server/http/trailing-node-names.js';
import { NamesAnswerWriter } from '../../src/server/http/names-answer-writer.js';
import { candidatesFromNames, type NameCandidates } from '../../src/server/name-candidates.js';
import { toFilterResult } from '../../src/server/names-filter-answer.js';
import { freshExtenderScores } from './fresh-scores.js';
import type { ExtenderFilterResult, WirePod } from '../../src/server/wire-schemas.js';
import { DEFAULT_FLEET, fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';
import { kubePod } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

/**
 * The standing answers (kept per request shape, refreshed through the cache's change journal) must always equal
 * judging every candidate afresh with the core. Random histories of filter, prioritize, bind, pod deletion, node
 * price changes, node deletion and re-creation, and candidate lists with unknown and repeated names.
 */

const FLEET = fleetNodes(DEFAULT_FLEET);
const NAMES = FLEET.map((n) => n.metadata?.name as string);
const SHAPES: Record<string, string>[] = [
  { 'nvidia.com/gpu': '1' },
  { 'nvidia.com/gpu': '2' },
  { 'nvidia.com/gpu': '4' },
  { 'tessera.io/gpu-memory': '20000', 'tessera.io/gpu-compute': '300' },
  { 'tessera.io/gpu-memory': '8192', 'tessera.io/gpu-compute': '250' },
];

type Step =
  | { kind: 'schedule'; shape: number; interruptible: boolean; group: boolean; pick: number; candidates: number[]; bind: boolean }
  | { kind: 'delete-pod'; pick: number }
  | { kind: 'price'; node: number; price: number }
  | { kind: 'remove-node'; node: number }
  | { kind: 'restore-nodes' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    kind: fc.constant('schedule' as const), shape: fc.nat(SHAPES.length - 1), interruptible: fc.boolean(), group: fc.boolean(),
    pick: fc.nat(),
    // Often the whole fleet, so lists repeat and answers kept per list are reused and patched.
    candidates: fc.oneof(fc.constant(NAMES.map((_, i) => i)), fc.array(fc.nat(NAMES.length + 1), { maxLength: 24 })), bind: fc.boolean(),
  }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete-pod' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('price' as const), node: fc.nat(NAMES.length - 1), price: fc.constantFrom(0.5, 30, 400, 3000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove-node' as const), node: fc.nat(NAMES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore-nodes' as const) }) },
);

/**
 * What judging every candidate afresh (fresh cycle, fresh memo, the options the service's engine holds now:
 * learning may have re-published them) gives: the filter answer and the scores.
 */
function fresh(t: TestServer, pod: WirePod, names: readonly string[]): { filter: ExtenderFilterResult; scores: number[] } {
  const parsed = parseGpuRequest(pod as PodLike);
  if (!parsed.ok) throw new Error('test pod does not parse');
  const snapshot = t.server.cache.snapshot();
  const cycle = prefilter(parsed.value, snapshot, t.server.service.engine.options, new EvaluationMemo(t.server.service.engine.options));
  const filter: ExtenderFilterResult = { Nodes: null, NodeNames: [], FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: '' };
  for (const name of names) {
    const state = snapshot.nodes.get(name);
    if (state === undefined) {
      filter.FailedNodes[name] = `node "${name}" is not in Tessera's cluster cache`;
      continue;
    }
    const e = evaluateNode(state, cycle);
    if (e.status.code === 'success') filter.NodeNames?.push(name);
    else if (e.status.code === 'unschedulable') filter.FailedNodes[name] = e.status.reason;
    else filter.FailedAndUnresolvableNodes[name] = e.status.reason;
  }
  return { filter, scores: freshExtenderScores(cycle, snapshot, names) };
}

function withPrice(node: NodeObject, price: number): NodeObject {
  const meta = node.metadata ?? {};
  return { ...node, metadata: { ...meta, resourceVersion: `${price}`, annotations: { ...(meta.annotations ?? {}), 'tessera.io/hourly-price': `${price}` } } };
}

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** Cost and group locality dominate, so a stale price range or group placement shows in the 0..10 scores. */
const COST_AND_GROUP: SchedulingOptions = {
  ...DEFAULT_SCHEDULING_OPTIONS, weights: { fragmentation: 1, packing: 1, topology: 1, cost: 50, spot: 1, groupLocality: 50 },
};

describe('standing filter answers', () => {
  it.each([
    ['the default options', DEFAULT_SCHEDULING_OPTIONS],
    ['cost and group locality weighted up', COST_AND_GROUP],
  ])('always equal judging every candidate afresh, over random histories, with %s', async (_name, options) => {
    await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 40 }), async (steps) => {
      await t?.close();
      t = await startTestServer({ options });
      const server = t.server;
      const service = server.service;
      const reader = new NodeNamesReader(service.names);
      const writer = new NamesAnswerWriter(service.names, reader);
      const bound: string[] = [];
      let serial = 0;
      for (const step of steps) {
        if (step.kind === 'schedule') {
          serial += 1;
          const annotations: Record<string, string> = {};
          if (step.interruptible) annotations['tessera.io/interruptible'] = 'true';
          if (step.group) annotations['tessera.io/group'] = 'job-a';
          const pod = kubePod({ name: `p${serial}`, uid: `uid-${serial}`, requests: SHAPES[step.shape] as Record<string, string>, annotations }) as unknown as WirePod;
          const names = step.candidates.map((k) => (k < NAMES.length ? NAMES[k] as string : `ghost-${k}`));
          const expected = fresh(t, pod, names);
          // Candidates as the HTTP adapter reads them (by bytes, with list identity, so kept answers are used).
          const read = (list: readonly string[]): NameCandidates =>
            reader.read(Buffer.from(JSON.stringify({ Pod: pod, Nodes: null, NodeNames: list })))?.candidates ?? candidatesFromNames(list, service.names);
          const answer = service.filterCandidates(pod, read(names));
          expect(toFilterResult(answer)).toEqual(expected.filter);
          // The bytes the HTTP adapter sends parse to the same answer, NodeNames in the index's order.
          const wire = JSON.parse(writer.filter(answer).toString('utf8')) as ExtenderFilterResult;
          const wireNames = wire.NodeNames ?? [];
          expect({ ...wire, NodeNames: [...wireNames].sort() }).toEqual({ ...expected.filter, NodeNames: [...(expected.filter.NodeNames ?? [])].sort() });
          const order = wireNames.map((name) => service.names.idOf(name));
          expect(order).toEqual([...order].sort((a, b) => a - b));
          // kube-scheduler prioritizes the survivors in the order the wire answer gave them.
          const survivors = wireNames;
          // prioritize over the request's list and over filter's survivors (the echo kube-scheduler sends).
          const scores = service.prioritizeCandidates(pod, read(names));
          expect([...scores]).toEqual(expected.scores);
          const echo = read(survivors);
          expect(Array.from({ length: echo.count }, (_, i) => echo.name(i))).toEqual(survivors);
          const echoBytes = writer.priorities(echo, service.prioritizeCandidates(pod, echo));
          const echoExpected = fresh(t, pod, survivors).scores;
          expect(JSON.parse(echoBytes.toString('utf8'))).toEqual(survivors.map((Host, i) => ({ Host, Score: echoExpected[i] })));
          if (step.bind && survivors.length > 0) {
            const node = survivors[step.pick % survivors.length] as string;
            const r = await service.bind({ PodName: `p${serial}`, PodNamespace: 'default', PodUID: `uid-${serial}`, Node: node });
            expect(r.Error).toBe('');
            bound.push(`uid-${serial}`);
          }
        } else if (step.kind === 'delete-pod') {
          if (bound.length === 0) continue;
          const [uid] = bound.splice(step.pick % bound.length, 1);
          t.sim?.deletePod(uid as string);
        } else if (step.kind === 'price') {
          server.cache.upsertNode(withPrice(FLEET[step.node] as NodeObject, step.price));
        } else if (step.kind === 'remove-node') {
          server.cache.deleteNode(NAMES[step.node] as string);
        } else {
          for (const node of FLEET) if (server.cache.inventory(node.metadata?.name as string) === undefined) server.cache.upsertNode(node);
        }
      }
    }), { numRuns: 25 });
  }, 120_000);
});
