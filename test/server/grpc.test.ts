import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilterRequestSchema, FilterResponseSchema, type InventoryResponse } from '../../src/server/grpc/gen/tessera/v1/scheduler_pb.js';
import { startTestServer, type TestServer } from './harness.js';
import { failure, rawCall, schedulerClient, type Scheduler } from './grpc-clients.js';
import { kubePod } from './kube-fixtures.js';

/**
 * The gRPC adapter over real sockets, side by side with the HTTP adapter of the same server: the same answers,
 * the same errors (message and paths), one cluster cache.
 */

const example = (name: string): Record<string, unknown> => JSON.parse(readFileSync(`docs/examples/extender/${name}.json`, 'utf8')) as Record<string, unknown>;

/** The names-only request of a docs example body, for gRPC. */
function namesRequest(body: Record<string, unknown>): { podJson: string; candidates: { case: 'nodeNames'; value: { names: string[] } } } {
  return { podJson: JSON.stringify(body['Pod']), candidates: { case: 'nodeNames', value: { names: body['NodeNames'] as string[] } } };
}

let t: TestServer;
let c: Scheduler;
beforeAll(async () => {
  t = await startTestServer({ config: { grpcPort: 0 } });
  c = schedulerClient(t.server.grpc?.address as string);
});
afterAll(async () => {
  c.close();
  await t.close();
});

describe('gRPC beside HTTP', () => {
  it('is off unless grpcPort is set', async () => {
    const plain = await startTestServer();
    try {
      expect(plain.server.grpc).toBeNull();
    } finally {
      await plain.close();
    }
    expect(t.server.grpc?.address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('Filter and Prioritize (names-only) answer what the HTTP verbs answer', async () => {
    const body = example('filter');
    const http = (await t.post('/scheduler/filter', body)).json as { NodeNames: string[]; FailedNodes: object; FailedAndUnresolvableNodes: object };
    const grpc = await c.filter(namesRequest(body));
    expect(grpc.nodeNames).toEqual(expect.arrayContaining(http.NodeNames));
    expect(grpc.nodeNames).toHaveLength(http.NodeNames.length);
    expect(grpc.failedNodes).toEqual(http.FailedNodes);
    expect(grpc.failedAndUnresolvableNodes).toEqual(http.FailedAndUnresolvableNodes);

    const p = example('prioritize');
    const httpScores = (await t.post('/scheduler/prioritize', p)).json as { Host: string; Score: number }[];
    const grpcScores = await c.prioritize(namesRequest(p));
    expect(grpcScores.hostPriorities.map((h) => ({ Host: h.host, Score: h.score }))).toEqual(httpScores);
    expect(httpScores.some((h) => h.Score > 0)).toBe(true);
  });

  it('answers a names-only list with unknown and repeated names as HTTP does (both encodings of the request)', async () => {
    const names = ['l4-3', 'h100-1', 'ghost', 'a100-2', 'ghost', 'l4-3', 'a100-1'];
    const pod = kubePod({ name: 'frac', uid: 'u-frac', requests: { 'tessera.io/gpu-memory': '8Gi', 'tessera.io/gpu-compute': '250' }, annotations: { 'tessera.io/interruptible': 'true' } });
    const http = (await t.post('/scheduler/filter', { Pod: pod, Nodes: null, NodeNames: names })).json as Record<string, unknown>;
    const request = { podJson: JSON.stringify(pod), candidates: { case: 'nodeNames' as const, value: { names } } };
    const fromBytes = await c.filter(request);
    expect([...fromBytes.nodeNames].sort()).toEqual([...(http['NodeNames'] as string[])].sort());
    expect(fromBytes.failedNodes).toEqual(http['FailedNodes']);
    // The same request with an unknown field first: read by the generic decoder, same answer.
    const bytes = Buffer.concat([Buffer.from([0x20, 0x01]), Buffer.from(toBinary(FilterRequestSchema, create(FilterRequestSchema, request)))]);
    const generic = fromBinary(FilterResponseSchema, await rawCall(t.server.grpc?.address as string, 'Filter', bytes));
    expect(generic).toEqual(fromBytes);
    const scores = await c.prioritize(request);
    const httpScores = (await t.post('/scheduler/prioritize', { Pod: pod, Nodes: null, NodeNames: names })).json as { Host: string; Score: number }[];
    expect(scores.hostPriorities.map((h) => ({ Host: h.host, Score: h.score }))).toEqual(httpScores);
  });

  it('Filter and Prioritize with full Node objects answer what the HTTP verbs answer', async () => {
    const nodes = (t.sim?.nodeObjects() ?? []).slice(0, 10);
    const pod = kubePod({ name: 'two', uid: 'u-two', requests: { 'nvidia.com/gpu': '2' } });
    const http = (await t.post('/scheduler/filter', { Pod: pod, Nodes: { metadata: {}, items: nodes }, NodeNames: null })).json as {
      Nodes: { items: { metadata: { name: string } }[] }; FailedNodes: object; FailedAndUnresolvableNodes: object;
    };
    const request = { podJson: JSON.stringify(pod), candidates: { case: 'nodes' as const, value: { nodeJson: nodes.map((n) => JSON.stringify(n)) } } };
    const grpc = await c.filter(request);
    expect(grpc.nodeNames).toEqual(http.Nodes.items.map((n) => n.metadata.name));
    expect(grpc.nodeNames.length).toBeGreaterThan(0);
    expect(grpc.failedAndUnresolvableNodes).toEqual(http.FailedAndUnresolvableNodes);
    const httpScores = (await t.post('/scheduler/prioritize', { Pod: pod, Nodes: { metadata: {}, items: nodes }, NodeNames: null })).json;
    expect((await c.prioritize(request)).hostPriorities.map((h) => ({ Host: h.host, Score: h.score }))).toEqual(httpScores);
  });

  it('Bind goes through the same service: held in the one cache, seen over HTTP, re-validated against a racing bind', async () => {
    // Filtered over HTTP, bound over gRPC: one evaluation cache, one assume cache.
    const pod = kubePod({ name: 'whole-h100', uid: 'u-whole-1', requests: { 'nvidia.com/gpu': '8' } });
    expect((await t.post('/scheduler/filter', { Pod: pod, Nodes: null, NodeNames: ['h100-2'] })).json).toMatchObject({ NodeNames: ['h100-2'] });
    const bound = await c.bind({ podName: 'whole-h100', podNamespace: 'default', podUid: 'u-whole-1', node: 'h100-2' });
    expect(bound.error).toBe('');
    const view = (await t.get('/api/v1/nodes')).json as { nodes: { name: string; pods: { uid: string; allocation: { devices: unknown[] } }[] }[] };
    expect(view.nodes.find((n) => n.name === 'h100-2')?.pods.find((p) => p.uid === 'u-whole-1')?.allocation.devices).toHaveLength(8);

    // Two 8-GPU pods for one 8-GPU node at once: the assume cache lets exactly one have it.
    const pods = ['u-race-a', 'u-race-b'].map((uid) => kubePod({ name: uid, uid, requests: { 'nvidia.com/gpu': '8' } }));
    for (const p of pods) expect((await c.filter({ podJson: JSON.stringify(p), candidates: { case: 'nodeNames', value: { names: ['h100-3'] } } })).nodeNames).toEqual(['h100-3']);
    const answers = await Promise.all(['u-race-a', 'u-race-b'].map((uid) => c.bind({ podName: uid, podNamespace: 'default', podUid: uid, node: 'h100-3' })));
    expect(answers.filter((a) => a.error === '')).toHaveLength(1);
    expect(answers.find((a) => a.error !== '')?.error).toMatch(/^cannot bind pod "default\/u-race-[ab]" to node "h100-3": /);
    // Unknown pod: the extender's answer, with the HTTP verb's message.
    const unknown = { PodName: 'nobody', PodNamespace: 'default', PodUID: 'u-nobody', Node: 'h100-0' };
    const httpUnknown = (await t.post('/scheduler/bind', unknown)).json as { Error: string };
    expect((await c.bind({ podName: 'nobody', podNamespace: 'default', podUid: 'u-nobody', node: 'h100-0' })).error).toBe(httpUnknown.Error);
  });

  it('Preempt answers what the HTTP verb answers, for names-only and full-pod victims', async () => {
    expect((await t.post('/scheduler/bind', example('bind'))).json).toEqual({ Error: '' });
    const body = example('preempt');
    const http = (await t.post('/scheduler/preempt', body)).json as { NodeNameToMetaVictims: Record<string, { Pods: { UID: string }[]; NumPDBViolations: number }> };
    expect(Object.keys(http.NodeNameToMetaVictims)).toEqual(['a100-0']);
    const meta = body['NodeNameToMetaVictims'] as Record<string, { Pods: { UID: string }[]; NumPDBViolations: number }>;
    const expected = Object.fromEntries(Object.entries(http.NodeNameToMetaVictims).map(([n, v]) => [n, { pods: v.Pods.map((p) => ({ uid: p.UID })), numPdbViolations: v.NumPDBViolations }]));
    const byUid = await c.preempt({
      podJson: JSON.stringify(body['Pod']),
      nodeNameToMetaVictims: Object.fromEntries(Object.entries(meta).map(([n, v]) => [n, { pods: v.Pods.map((p) => ({ uid: p.UID })), numPdbViolations: v.NumPDBViolations }])),
    });
    expect(byUid.nodeNameToMetaVictims).toMatchObject(expected);
    const byPod = await c.preempt({
      podJson: JSON.stringify(body['Pod']),
      nodeNameToVictims: Object.fromEntries(Object.entries(meta).map(([n, v]) => [n, { podJson: v.Pods.map((p) => JSON.stringify({ metadata: { uid: p.UID } })), numPdbViolations: 0 }])),
    });
    expect(byPod.nodeNameToMetaVictims).toMatchObject(expected);
  });

  it('Inventory is what GET /api/v1/nodes answers, at the same version', async () => {
    const http = (await t.get('/api/v1/nodes')).json as Record<string, unknown>;
    const grpc = await c.inventory({});
    expect(grpc.incarnation).toMatch(/^[0-9a-f-]{36}$/);
    expect(asNodesView(grpc)).toEqual({ ...http, apiVersion: undefined, kind: undefined });
    expect(grpc.nodes.some((n) => n.pods.length > 0)).toBe(true);
  });
});

describe('gRPC errors: the HTTP verb\'s message and paths, as a status', () => {
  const pod = { metadata: { name: 'p' }, spec: { containers: 'main' } };
  it.each([
    ['a malformed pod', 'filter', { Pod: pod, NodeNames: ['a'] }, { podJson: JSON.stringify(pod), candidates: { case: 'nodeNames', value: { names: ['a'] } } }],
    ['a pod without a name', 'prioritize', { Pod: { metadata: {} }, NodeNames: ['a'] }, { podJson: '{"metadata":{}}', candidates: { case: 'nodeNames', value: { names: ['a'] } } }],
    ['no pod at all', 'filter', { NodeNames: ['a'] }, { candidates: { case: 'nodeNames', value: { names: ['a'] } } }],
    ['an empty node name', 'filter', { Pod: { metadata: { name: 'p' } }, NodeNames: ['a', ''] }, { podJson: '{"metadata":{"name":"p"}}', candidates: { case: 'nodeNames', value: { names: ['a', ''] } } }],
    ['neither names nor nodes', 'filter', { Pod: { metadata: { name: 'p' } }, Nodes: null, NodeNames: null }, { podJson: '{"metadata":{"name":"p"}}' }],
    ['a node object without a name', 'filter', { Pod: { metadata: { name: 'p' } }, Nodes: { items: [{ metadata: {} }] }, NodeNames: null }, { podJson: '{"metadata":{"name":"p"}}', candidates: { case: 'nodes', value: { nodeJson: ['{"metadata":{}}'] } } }],
    ['a bind without a pod UID', 'bind', { PodName: 'p', PodNamespace: 'default', PodUID: '', Node: 'h100-0' }, { podName: 'p', podNamespace: 'default', podUid: '', node: 'h100-0' }],
    ['a preempt with a malformed pod', 'preempt', { Pod: pod }, { podJson: JSON.stringify(pod) }],
  ] as const)('%s (HTTP body as kube-scheduler writes it): INVALID_ARGUMENT with the same message, code and issues', async (_name, verb, httpBody, grpcRequest) => {
    const before = t.server.cache.version;
    const http = await t.post(`/scheduler/${verb}`, httpBody);
    expect(http.status).toBe(400);
    const body = http.json as { Error: string; Code: string; Issues: { path: string; message: string }[] };
    const failed = await failure((c[verb] as (r: unknown) => Promise<unknown>)(grpcRequest));
    expect(failed).toEqual({
      code: status.INVALID_ARGUMENT, details: body.Error, reason: body.Code,
      fieldViolations: body.Issues.map((i) => ({ field: i.path, description: i.message })),
    });
    expect(t.server.cache.version).toBe(before);
  });

  it('pod_json that is not JSON: INVALID_ARGUMENT, TESSERA_BAD_JSON at `Pod`', async () => {
    const failed = await failure(c.filter({ podJson: '{"metadata":', candidates: { case: 'nodeNames', value: { names: ['a'] } } }));
    expect(failed.code).toBe(status.INVALID_ARGUMENT);
    expect(failed.reason).toBe('TESSERA_BAD_JSON');
    expect(failed.details).toMatch(/^cannot filter: invalid request: Pod: not valid JSON: /);
    expect(failed.fieldViolations.map((v) => v.field)).toEqual(['Pod']);
  });

  it('bytes that are not a protobuf message: INVALID_ARGUMENT (not INTERNAL), and the server keeps serving', async () => {
    const address = t.server.grpc?.address as string;
    const failed = await rawCall(address, 'Bind', Buffer.from([0x0a, 0x7f, 0x01])).then(() => null, (err: { code: number; details: string }) => err);
    expect(failed?.code).toBe(status.INVALID_ARGUMENT);
    expect(failed?.details).toMatch(/^cannot bind: invalid request: not a valid tessera\.v1\.BindRequest message: /);
    expect((await c.inventory({})).nodes.length).toBeGreaterThan(0);
  });

  it('more names than the fleet allows (RequestLimits.names): INVALID_ARGUMENT with the HTTP verb\'s message, nothing changed', async () => {
    const names = Array.from({ length: 1024 + 2 * t.server.cache.stats().nodes + 1 }, (_, i) => `n-${String(i)}`);
    const pod = { metadata: { name: 'p', namespace: 'default', uid: 'u-many' }, spec: { containers: [{ name: 'c' }] } };
    const before = t.server.cache.version;
    const http = await t.post('/scheduler/filter', { Pod: pod, NodeNames: names });
    expect(http.status).toBe(400);
    const body = http.json as { Error: string; Code: string };
    expect(body.Code).toBe('TESSERA_TOO_MANY_NODES');
    const failed = await failure(c.filter({ podJson: JSON.stringify(pod), candidates: { case: 'nodeNames', value: { names } } }));
    expect([failed.code, failed.reason, failed.details]).toEqual([status.INVALID_ARGUMENT, 'TESSERA_TOO_MANY_NODES', body.Error]);
    expect(t.server.cache.version).toBe(before);
  });

  it('a message larger than maxBodyBytes: RESOURCE_EXHAUSTED', async () => {
    const small = await startTestServer({ config: { grpcPort: 0, maxBodyBytes: 4096 } });
    const client = schedulerClient(small.server.grpc?.address as string);
    try {
      const failed = await failure(client.filter({ podJson: JSON.stringify({ metadata: { name: 'p', annotations: { big: 'x'.repeat(8192) } } }), candidates: { case: 'nodeNames', value: { names: ['a'] } } }));
      expect(failed.code).toBe(status.RESOURCE_EXHAUSTED);
    } finally {
      client.close();
      await small.close();
    }
  });

  it('counts calls in tessera_grpc_request_duration_seconds by method and status', async () => {
    const text = await t.server.registry.metrics();
    expect(text).toMatch(/tessera_grpc_request_duration_seconds_count\{method="Filter",code="OK"\} [1-9]/);
    expect(text).toMatch(/tessera_grpc_request_duration_seconds_count\{method="Filter",code="INVALID_ARGUMENT"\} [1-9]/);
    expect(text).toMatch(/tessera_grpc_request_duration_seconds_count\{method="Bind",code="OK"\} [1-9]/);
  });
});

const CAPACITY = ['', 'on-demand', 'spot'];
const SHARING = ['', 'exclusive', 'fractional', 'time-sliced', 'mig'];
const KIND = ['', 'whole', 'share', 'replica', 'mig'];
const PHASE = ['', 'assumed', 'bound', 'nominated'];

/** The Inventory answer in the shape of GET /api/v1/nodes (enums as their JSON strings, unset optionals as null). */
function asNodesView(r: InventoryResponse): unknown {
  const mig = (m: { profile: string; start: number; size: number }): object => ({ profile: m.profile, start: m.start, size: m.size });
  const allocation = (a: InventoryResponse['nodes'][number]['pods'][number]['allocation']): unknown => (a === undefined ? null : {
    node: a.node, cpuMilli: a.cpuMilli, memoryMiB: a.memoryMib,
    devices: a.devices.map((d) => ({
      gpuIndex: d.gpuIndex, gpuUuid: d.gpuUuid, kind: KIND[d.kind], memoryMiB: d.memoryMib, computeMilli: d.computeMilli,
      ...(d.kind === 3 ? { replicas: d.replicas } : {}), ...(d.mig === undefined ? {} : { mig: mig(d.mig) }),
    })),
  });
  return {
    apiVersion: undefined, kind: undefined, cluster: r.cluster, synced: r.synced, version: Number(r.version),
    nodes: r.nodes.map((n) => ({
      name: n.name, capacityType: CAPACITY[n.capacityType], hourlyPrice: n.hourlyPrice ?? null, instanceType: n.instanceType ?? null,
      zone: n.zone ?? null, rack: n.rack ?? null, clique: n.clique ?? null, topologySource: n.topologySource,
      cpuMilli: n.cpuMilli, memoryMiB: n.memoryMib, used: { cpuMilli: n.used?.cpuMilli, memoryMiB: n.used?.memoryMib },
      gpus: n.gpus.map((g) => ({
        index: g.index, uuid: g.uuid, product: g.product, memoryMiB: g.memoryMib, computeMilli: g.computeMilli,
        sharing: {
          mode: SHARING[g.sharing?.mode ?? 0],
          ...(g.sharing?.mode === 3 ? { replicas: g.sharing.replicas } : {}),
          ...(g.sharing?.mode === 4 ? { layout: g.sharing.migDynamic ? 'dynamic' : g.sharing.migLayout.map(mig) } : {}),
        },
        numaNode: g.numaNode ?? null, taints: g.taints.map((x) => ({ key: x.key, value: x.value, effect: x.effect })),
        used: g.used === undefined ? null : { memoryMiB: g.used.memoryMib, computeMilli: g.used.computeMilli, replicas: g.used.replicas, whole: g.used.whole, mig: g.used.mig.map(mig) },
      })),
      links: n.links.map((row) => row.cells),
      pods: n.pods.map((p) => ({
        uid: p.uid, namespace: p.namespace, name: p.name, phase: PHASE[p.phase], priority: p.priority, group: p.group ?? null,
        counted: p.counted, allocation: allocation(p.allocation),
      })),
      holds: n.holds.map((h) => ({
        forPod: { uid: h.forPod?.uid, namespace: h.forPod?.namespace, name: h.forPod?.name }, reason: h.reason,
        expires: h.expires, allocation: allocation(h.allocation),
      })),
    })),
  };
}
