import { EventEmitter } from 'node:events';
import { create } from '@bufbuild/protobuf';
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { AllocationFeed, type AllocationChange } from '../../cluster/cache/allocation-feed.js';
import { WatchAllocationsRequestSchema, type WatchAllocationsRequest, type WatchAllocationsResponse } from './gen/tessera/v1/scheduler_pb.js';
import { GrpcStatusError } from './grpc-status-error.js';
import { serveWatch } from './watch-allocations.js';

/**
 * The watch's flow control, with a stand-in for grpc-js's writable call whose `write` answers what the test says
 * (the gRPC tests in test/server cover the stream over real sockets).
 */
class FakeCall extends EventEmitter {
  readonly written: WatchAllocationsResponse[] = [];
  full = false;
  ended: { code?: number; details?: string } | null = null;

  constructor(readonly request: WatchAllocationsRequest) {
    super();
    this.on('error', (status: { code?: number; details?: string }) => {
      this.ended = status;
    });
  }

  write(message: WatchAllocationsResponse): boolean {
    this.written.push(message);
    return !this.full;
  }
}

const change = (version: number): AllocationChange => ({
  version, kind: 'released', pod: { uid: `p${version}`, namespace: 'ns', name: `p${version}` }, node: 'n', allocation: null,
});
const versions = (m: WatchAllocationsResponse | undefined): number[] => (m?.changes ?? []).map((c) => Number(c.version));
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function watch(feed: AllocationFeed, cache: { version: number }, request = create(WatchAllocationsRequestSchema, {})) {
  const call = new FakeCall(request);
  const finals: unknown[] = [];
  const w = serveWatch(call as unknown as ServerWritableStream<WatchAllocationsRequest, WatchAllocationsResponse>, { feed, version: () => cache.version }, (f) => finals.push(f));
  return { call, w, finals };
}

describe('serveWatch', () => {
  it('holds back while the client does not read, then sends what it missed in one message', async () => {
    const feed = new AllocationFeed(100);
    const cache = { version: 0 };
    const { call } = watch(feed, cache);
    expect(call.written).toHaveLength(1);
    call.full = true;
    feed.record(change(cache.version = 1));
    await tick();
    expect(call.written).toHaveLength(2);
    for (let v = 2; v <= 5; v += 1) feed.record(change(cache.version = v));
    await tick();
    expect(call.written).toHaveLength(2);
    call.full = false;
    call.emit('drain');
    expect(call.written).toHaveLength(3);
    expect(versions(call.written[2])).toEqual([2, 3, 4, 5]);
    expect(Number(call.written[2]?.version)).toBe(5);
  });

  it('ends with FAILED_PRECONDITION when the feed dropped changes the client was not sent yet', async () => {
    const feed = new AllocationFeed(3);
    const cache = { version: 0 };
    const { call, finals } = watch(feed, cache);
    call.full = true;
    feed.record(change(cache.version = 1));
    await tick();
    for (let v = 2; v <= 9; v += 1) feed.record(change(cache.version = v));
    call.emit('drain');
    expect(call.ended?.code).toBe(status.FAILED_PRECONDITION);
    expect(call.ended?.details).toMatch(/fell behind: changes after version 1 are no longer held \(the server keeps the last 3\)/);
    expect(finals).toHaveLength(1);
    expect(feed.watchers).toBe(0);
  });

  it('unsubscribes when the client cancels, and stop() ends the stream with the given status once', async () => {
    const feed = new AllocationFeed();
    const cache = { version: 0 };
    const a = watch(feed, cache);
    expect(feed.watchers).toBe(1);
    a.call.emit('cancelled');
    expect(feed.watchers).toBe(0);
    expect(a.finals).toEqual([{ code: status.CANCELLED, details: 'cancelled by the client' }]);
    expect(a.call.ended).toBeNull();
    feed.record(change(cache.version = 1));
    await tick();
    expect(a.call.written).toHaveLength(1);

    const b = watch(feed, cache);
    expect(b.w.finished).toBe(false);
    b.w.stop(new GrpcStatusError(status.UNAVAILABLE, 'bye'));
    b.w.stop(new GrpcStatusError(status.UNAVAILABLE, 'again'));
    expect(b.call.ended).toEqual({ code: status.UNAVAILABLE, details: 'bye' });
    expect(b.finals).toHaveLength(1);
    expect(b.w.finished).toBe(true);
  });
});
