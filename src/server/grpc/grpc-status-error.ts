import type { status } from '@grpc/grpc-js';

/**
 * A call the gRPC adapter refuses with a specific status (UNAVAILABLE before the cluster is listed, OUT_OF_RANGE
 * or FAILED_PRECONDITION for a watch that cannot resume): answered with `code` and the message as it is.
 */
export class GrpcStatusError extends Error {
  constructor(readonly code: status, message: string) {
    super(message);
    this.name = 'GrpcStatusError';
  }
}
