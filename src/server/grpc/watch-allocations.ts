import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { status, type ServerWritableStream, type StatusObject } from '@grpc/grpc-js';
import { type AllocationChange, type AllocationChangeKind, type AllocationFeed } from '../../cluster/cache/allocation-feed.js';
import {
  AllocationChangeKind as ChangeKind, WatchAllocationsResponseSchema, type AllocationChangeSchema,
  type WatchAllocationsRequest, type WatchAllocationsResponse,
} from './gen/tessera/v1/scheduler_pb.js';
import { GrpcStatusError } from './grpc-status-error.js';
import { allocationMessage } from './inventory-response.js';

const KINDS: Record<AllocationChangeKind, ChangeKind> = {
  assumed: ChangeKind.ASSUMED,
  bound: ChangeKind.BOUND,
  released: ChangeKind.RELEASED,
};

const RELIST = 'list again with Inventory and watch from its version';

/** What a watch reads: the feed and the cache's current version. */
export interface WatchSource {
  readonly feed: AllocationFeed;
  /** The cluster cache's version now (every recorded change is at or below it). */
  readonly version: () => number;
}

/** One open WatchAllocations stream. */
export interface Watch {
  /** True once the stream has ended (whatever ended it). */
  readonly finished: boolean;
  /** Ends the stream with `error`'s status (server shutdown). */
  stop(error: GrpcStatusError): void;
}

/**
 * Serves one WatchAllocations call: checks where it resumes from, sends at once the held changes after that
 * version (possibly none) with the version reached, then each burst of changes as it is recorded. A client that
 * does not read is not written to until it drains; if the feed drops changes it has not been sent meanwhile, the
 * stream ends with FAILED_PRECONDITION. `done` is called once with the final status.
 */
export function serveWatch(
  call: ServerWritableStream<WatchAllocationsRequest, WatchAllocationsResponse>,
  source: WatchSource,
  done: (final: Partial<StatusObject>) => void,
): Watch {
  const { feed } = source;
  let finished = false;
  let unsubscribe: () => void = () => {};
  const finish = (final: Partial<StatusObject>, send: boolean): void => {
    if (finished) return;
    finished = true;
    unsubscribe();
    if (send) call.emit('error', final);
    done(final);
  };
  const fail = (err: GrpcStatusError): void => finish({ code: err.code, details: err.message }, true);
  call.on('cancelled', () => finish({ code: status.CANCELLED, details: 'cancelled by the client' }, false));

  const start = resumePoint(call.request, source);
  const watch: Watch = {
    get finished() {
      return finished;
    },
    stop: fail,
  };
  if (start instanceof GrpcStatusError) {
    fail(start);
    return watch;
  }
  let cursor = start;
  let draining = false;
  const pump = (first: boolean): void => {
    if (finished || draining) return;
    const changes = feed.since(cursor);
    if (changes === null) {
      fail(new GrpcStatusError(status.FAILED_PRECONDITION, `the allocation watch fell behind: changes after version ${cursor} are no longer held (the server keeps the last ${feed.capacity}): ${RELIST}`));
      return;
    }
    if (changes.length === 0 && !first) return;
    cursor = source.version();
    const written = call.write(create(WatchAllocationsResponseSchema, {
      incarnation: feed.incarnation, version: BigInt(cursor), changes: changes.map(changeMessage),
    }));
    if (!written) {
      draining = true;
      call.once('drain', () => {
        draining = false;
        pump(false);
      });
    }
  };
  unsubscribe = feed.subscribe(() => pump(false));
  pump(true);
  return watch;
}

/** The version a watch starts after, or why it cannot start. */
function resumePoint(request: WatchAllocationsRequest, source: WatchSource): number | GrpcStatusError {
  const current = source.version();
  const { feed } = source;
  if (request.incarnation !== '' && request.incarnation !== feed.incarnation) {
    return new GrpcStatusError(status.FAILED_PRECONDITION, `cannot resume the allocation watch: its versions belong to incarnation ${JSON.stringify(request.incarnation)} and this server is ${JSON.stringify(feed.incarnation)} (it restarted, or is another replica): ${RELIST}`);
  }
  if (request.fromVersion === undefined) return current;
  const from = Number(request.fromVersion);
  if (from > current) {
    return new GrpcStatusError(status.OUT_OF_RANGE, `cannot resume the allocation watch from version ${from}: this server is at version ${current}`);
  }
  if (feed.since(from) === null) {
    return new GrpcStatusError(status.FAILED_PRECONDITION, `cannot resume the allocation watch from version ${from}: the changes after it are no longer held (the server keeps the last ${feed.capacity}): ${RELIST}`);
  }
  return from;
}

function changeMessage(c: AllocationChange): MessageInitShape<typeof AllocationChangeSchema> {
  return {
    version: BigInt(c.version),
    kind: KINDS[c.kind],
    podUid: c.pod.uid,
    podNamespace: c.pod.namespace,
    podName: c.pod.name,
    node: c.node,
    ...(c.allocation === null ? {} : { allocation: allocationMessage(c.allocation) }),
  };
}
