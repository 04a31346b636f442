import { create, fromBinary, isMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import {
  makeGenericClientConstructor, type CallOptions, type ChannelCredentials, type ChannelOptions, type Client,
  type ClientReadableStream, type ServiceError,
} from '@grpc/grpc-js';
import { BadRequestSchema, ErrorInfoSchema } from './gen/google/rpc/error_details_pb.js';
import { StatusSchema } from './gen/google/rpc/status_pb.js';
import { grpcServiceDefinition } from './grpc-service-definition.js';
import { STATUS_DETAILS_KEY } from './map-grpc-error.js';

type Unary<M extends GenServiceMethods[string]> =
  (request: MessageInitShape<M['input']>, options?: CallOptions) => Promise<MessageShape<M['output']>>;
type ServerStream<M extends GenServiceMethods[string]> =
  (request: MessageInitShape<M['input']>, options?: CallOptions) => ClientReadableStream<MessageShape<M['output']>>;

/** A promise-based @grpc/grpc-js client of a generated service: unary methods return promises, server streams a stream. */
export type GrpcClient<T extends GenServiceMethods> = {
  readonly [K in keyof T]: T[K]['methodKind'] extends 'unary' ? Unary<T[K]>
    : T[K]['methodKind'] extends 'server_streaming' ? ServerStream<T[K]> : never;
} & {
  /** The underlying grpc-js client (channel state, waitForReady). */
  readonly raw: Client;
  /** Closes the channel. */
  close(): void;
};

/**
 * A typed client of `service` (e.g. SchedulerService from scheduler_pb.ts) at `address` (`host:port`): requests
 * are message init objects (plain objects with the fields to set), answers the generated message types.
 */
export function createGrpcClient<T extends GenServiceMethods>(
  service: GenService<T>, address: string, credentials: ChannelCredentials, options: ChannelOptions = {},
): GrpcClient<T> {
  const Constructor = makeGenericClientConstructor(grpcServiceDefinition(service), service.name);
  // Inventory of 5,000 nodes is 3 MB before pods: no receive limit unless the caller sets one, and an HTTP/2 window
  // that takes a 5,000-node Filter answer (about 250 KB) without waiting for window updates.
  const raw = new Constructor(address, credentials, {
    'grpc.max_receive_message_length': -1, 'grpc-node.flow_control_window': 16 * 1024 * 1024, ...options,
  });
  const client: Record<string, unknown> = { raw, close: () => raw.close() };
  for (const method of service.methods) {
    const call = (raw as unknown as Record<string, (...args: unknown[]) => unknown>)[method.localName] as (...args: unknown[]) => unknown;
    const message = (init: unknown): unknown => (isMessage(init) ? init : create(method.input, init as never));
    if (method.methodKind === 'unary') {
      client[method.localName] = (init: unknown, options: CallOptions = {}) => new Promise((resolve, reject) => {
        call.call(raw, message(init), options, (err: ServiceError | null, value: unknown) => (err === null ? resolve(value) : reject(err)));
      });
    } else if (method.methodKind === 'server_streaming') {
      client[method.localName] = (init: unknown, options: CallOptions = {}) => call.call(raw, message(init), options);
    }
  }
  return client as GrpcClient<T>;
}

/** The rich error details of a failed call (google.rpc.Status in `grpc-status-details-bin`). */
export interface ErrorDetails {
  /** google.rpc.ErrorInfo.reason: the stable code, e.g. `TESSERA_BAD_REQUEST`; '' when absent. */
  readonly reason: string;
  /** google.rpc.BadRequest field violations: the path and what is wrong. */
  readonly fieldViolations: readonly { readonly field: string; readonly description: string }[];
}

/** Decodes the error details Tessera attaches to a failed call (empty when there are none). */
export function errorDetails(err: ServiceError): ErrorDetails {
  const bin = err.metadata?.get(STATUS_DETAILS_KEY)[0];
  if (!(bin instanceof Buffer)) return { reason: '', fieldViolations: [] };
  const st = fromBinary(StatusSchema, bin);
  let reason = '';
  const fieldViolations: { field: string; description: string }[] = [];
  for (const any of st.details) {
    const info = anyUnpack(any, ErrorInfoSchema);
    if (info !== undefined) reason = info.reason;
    const bad = anyUnpack(any, BadRequestSchema);
    if (bad !== undefined) for (const v of bad.fieldViolations) fieldViolations.push({ field: v.field, description: v.description });
  }
  return { reason, fieldViolations };
}

