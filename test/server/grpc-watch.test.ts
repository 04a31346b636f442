import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULING_OPTIONS } from '../../src/algorithm/scheduling-options.js';
import type { ClusterSink } from '../../src/cluster/cache/cluster-source.js';
import { DEFAULT_CONFIG } from '../../src/config/config-schema.js';
import { NOT_SYNCED_ERROR } from '../../src/server/extender-service.js';
import { AllocationChangeKind, type WatchAllocationsResponse } from '../../src/server/grpc/gen/tessera/v1/scheduler_pb.js';
import { startTesseraServer } from '../../src/server/tessera-server.js';
import { SimulatedCluster } from '../../src/sim/simulated-cluster.js';
import { DEFAULT_FLEET, fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';
import { failure, healthCheck, reflect, schedulerClient, type Scheduler } from './grpc-clients.js';
import { modelParsers, startTestServer, type TestServer } from './harness.js';
import { kubePod } from './kube-fixtures.js';

/** Reads messages from a watch until `done` says enough (or fails after 5 s). */
function readUntil(stream: ClientReadableStream<WatchAllocationsResponse>, done: (seen: WatchAllocationsResponse[]) => boolean): Promise<WatchAllocationsResponse[]> {
  const seen: WatchAllocationsResponse[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`watch: gave up after 5 s with ${JSON.stringify(seen.map(summary))}`)), 5000);
    stream.on('data', (m: WatchAllocationsResponse) => {
      seen.push(m);
      if (done(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
    stream.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** How a watch ended: its status. */
function ending(stream: ClientReadableStream<WatchAllocationsResponse>): Promise<ServiceError> {
  return new Promise((resolve) => {
    stream.on('data', () => {});
    stream.on('error', (err: ServiceError) => resolve(err));
  });
}

const KIND = { [AllocationChangeKind.ASSUMED]: 'assumed', [AllocationChangeKind.BOUND]: 'bound', [AllocationChangeKind.RELEASED]: 'released' } as Record<number, string>;
const changes = (messages: readonly WatchAllocationsResponse[]): string[] =>
  messages.flatMap((m) => m.changes.map((ch) => `${KIND[ch.kind] ?? ch.kind} ${ch.podUid} ${ch.node} ${ch.allocation?.devices.length ?? 0}`));
const summary = (m: WatchAllocationsResponse): object => ({ version: Number(m.version), changes: changes([m]) });

/** Filters (so Tessera knows the pod) and binds a 1-GPU pod to `node` over gRPC. */
async function place(c: Scheduler, uid: string, node: string): Promise<void> {
  const pod = kubePod({ name: uid, uid, requests: { 'nvidia.com/gpu': '1' }, annotations: { 'tessera.io/interruptible': 'true' } });
  expect((await c.filter({ podJson: JSON.stringify(pod), candidates: { case: 'nodeNames', value: { names: [node] } } })).nodeNames).toEqual([node]);
  expect((await c.bind({ podName: uid, podNamespace: 'default', podUid: uid, node })).error).toBe('');
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

describe('WatchAllocations', () => {
  it('lists with Inventory, then streams each bind (assumed, then bound) and each release, at increasing versions', async () => {
    const inv = await c.inventory({});
    const stream = c.watchAllocations({ fromVersion: inv.version, incarnation: inv.incarnation });
    const reading = readUntil(stream, (seen) => changes(seen).length >= 3);
    await place(c, 'w-1', 'h100-0');
    t.sim?.deletePod('w-1');
    const seen = await reading;
    stream.cancel();
    expect(seen[0]?.changes).toEqual([]);
    expect(seen[0]?.version).toBe(inv.version);
    expect(seen.every((m) => m.incarnation === inv.incarnation)).toBe(true);
    expect(changes(seen)).toEqual(['assumed w-1 h100-0 1', 'bound w-1 h100-0 1', 'released w-1 h100-0 1']);
    const versions = seen.flatMap((m) => m.changes.map((ch) => Number(ch.version)));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(3);
    expect(Number(seen[seen.length - 1]?.version)).toBe(t.server.cache.version);
  });

  it('resumes from the last version received with exactly the changes missed meanwhile', async () => {
    const first = c.watchAllocations({});
    const [start] = await readUntil(first, (seen) => seen.length >= 1);
    first.cancel();
    await place(c, 'w-2', 'a100-0');
    await place(c, 'w-3', 'l4-0');
    t.sim?.deletePod('w-2');
    const resumed = c.watchAllocations({ fromVersion: start?.version, incarnation: start?.incarnation as string });
    const [caughtUp] = await readUntil(resumed, (seen) => seen.length >= 1);
    resumed.cancel();
    expect(changes([caughtUp as WatchAllocationsResponse])).toEqual([
      'assumed w-2 a100-0 1', 'bound w-2 a100-0 1', 'assumed w-3 l4-0 1', 'bound w-3 l4-0 1', 'released w-2 a100-0 1',
    ]);
    expect(Number(caughtUp?.version)).toBe(t.server.cache.version);
  });

  it('refuses a version it never reached (OUT_OF_RANGE) and one of another incarnation (FAILED_PRECONDITION)', async () => {
    const inv = await c.inventory({});
    const future = await ending(c.watchAllocations({ fromVersion: inv.version + 1000n }));
    expect(future.code).toBe(status.OUT_OF_RANGE);
    expect(future.details).toBe(`cannot resume the allocation watch from version ${inv.version + 1000n}: this server is at version ${inv.version}`);
    const other = await ending(c.watchAllocations({ fromVersion: inv.version, incarnation: 'a-restarted-server' }));
    expect(other.code).toBe(status.FAILED_PRECONDITION);
    expect(other.details).toMatch(/belong to incarnation "a-restarted-server".*list again with Inventory and watch from its version$/);
  });

  it('refuses a version whose changes it no longer holds (FAILED_PRECONDITION: list again)', async () => {
    const small = await startTestServer({ config: { grpcPort: 0 }, allocationHistory: 4 });
    const client = schedulerClient(small.server.grpc?.address as string);
    try {
      const inv = await client.inventory({});
      for (const [uid, node] of [['h-1', 'h100-0'], ['h-2', 'h100-1'], ['h-3', 'h100-2']] as const) await place(client, uid, node);
      const dropped = await ending(client.watchAllocations({ fromVersion: inv.version }));
      expect(dropped.code).toBe(status.FAILED_PRECONDITION);
      expect(dropped.details).toMatch(/the changes after it are no longer held \(the server keeps the last 4\): list again with Inventory/);
      // The last 4 changes are still there.
      const recent = client.watchAllocations({ fromVersion: BigInt(small.server.cache.version - 4) });
      const [caughtUp] = await readUntil(recent, (seen) => seen.length >= 1);
      recent.cancel();
      expect(caughtUp?.changes).toHaveLength(4);
    } finally {
      client.close();
      await small.close();
    }
  });

  it('ends open watches with UNAVAILABLE when the server shuts down', async () => {
    const other = await startTestServer({ config: { grpcPort: 0 } });
    const client = schedulerClient(other.server.grpc?.address as string);
    const stream = client.watchAllocations({});
    await readUntil(stream, (seen) => seen.length >= 1);
    const ended = ending(stream);
    await other.close();
    expect((await ended).code).toBe(status.UNAVAILABLE);
    client.close();
  });
});

describe('gRPC health and reflection', () => {
  it('reports the server SERVING, and SchedulerService SERVING only once the cluster is listed (Filter is UNAVAILABLE before)', async () => {
    let release: () => void = () => {};
    const listed = new Promise<void>((resolve) => { release = resolve; });
    class SlowToList extends SimulatedCluster {
      override async start(sink: ClusterSink): Promise<void> {
        await listed;
        return super.start(sink);
      }
    }
    const p = modelParsers();
    const server = await startTesseraServer({
      config: { ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, grpcPort: 0 }, source: new SlowToList(fleetNodes(DEFAULT_FLEET)),
      options: DEFAULT_SCHEDULING_OPTIONS, parseNode: p.parseNode, parseAllocation: p.parseAllocation,
    });
    const address = server.grpc?.address as string;
    const client = schedulerClient(address);
    try {
      expect(await healthCheck(address, '')).toBe('SERVING');
      expect(await healthCheck(address, 'tessera.v1.SchedulerService')).toBe('NOT_SERVING');
      const early = await failure(client.filter({ podJson: '{"metadata":{"name":"p"}}', candidates: { case: 'nodeNames', value: { names: ['h100-0'] } } }));
      expect(early).toMatchObject({ code: status.UNAVAILABLE, details: NOT_SYNCED_ERROR });
      release();
      const deadline = Date.now() + 5000;
      while (await healthCheck(address, 'tessera.v1.SchedulerService') !== 'SERVING') {
        if (Date.now() > deadline) throw new Error('SchedulerService never turned SERVING');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await client.filter({ podJson: '{"metadata":{"name":"p"}}', candidates: { case: 'nodeNames', value: { names: ['h100-0'] } } })).nodeNames).toEqual(['h100-0']);
    } finally {
      client.close();
      await server.close(100);
    }
  });

  it('describes its services through server reflection, with the .proto\'s methods', async () => {
    const address = t.server.grpc?.address as string;
    const listed = await reflect(address, { list_services: '' });
    const names = (listed['list_services_response'] as { service: { name: string }[] }).service.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['tessera.v1.SchedulerService', 'grpc.health.v1.Health']));
    const file = await reflect(address, { file_containing_symbol: 'tessera.v1.SchedulerService' });
    const protos = (file['file_descriptor_response'] as { file_descriptor_proto: Buffer[] }).file_descriptor_proto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
    const scheduler = protos.find((f) => f.service.some((s) => s.name === 'SchedulerService'));
    expect(scheduler?.package).toBe('tessera.v1');
    expect(scheduler?.service[0]?.method.map((m) => m.name)).toEqual(['Filter', 'Prioritize', 'Bind', 'Preempt', 'Inventory', 'WatchAllocations']);
  });
});
