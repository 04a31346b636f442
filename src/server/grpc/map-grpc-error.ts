import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import type { Logger } from '../../telemetry/logger.js';
import { RequestError, type RequestErrorCode } from '../request-error.js';
import { BadRequestSchema, ErrorInfoSchema } from './gen/google/rpc/error_details_pb.js';
import { StatusSchema } from './gen/google/rpc/status_pb.js';
import { encodeMessage } from './grpc-service-definition.js';
import { GrpcStatusError } from './grpc-status-error.js';

/** The trailer that carries a google.rpc.Status (gRPC's rich error model). */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
/** ErrorInfo.domain of Tessera's errors. */
export const ERROR_DOMAIN = 'tessera.io';

const CODES: Record<RequestErrorCode, status> = {
  TESSERA_BAD_JSON: status.INVALID_ARGUMENT,
  TESSERA_BAD_REQUEST: status.INVALID_ARGUMENT,
  TESSERA_BODY_TOO_LARGE: status.RESOURCE_EXHAUSTED,
  TESSERA_NOT_FOUND: status.UNIMPLEMENTED,
  TESSERA_METHOD_NOT_ALLOWED: status.UNIMPLEMENTED,
  TESSERA_TOO_DEEP: status.INVALID_ARGUMENT,
  TESSERA_TOO_MANY_NODES: status.INVALID_ARGUMENT,
  TESSERA_UNSUPPORTED_MEDIA_TYPE: status.INVALID_ARGUMENT,
  TESSERA_REQUEST_TIMEOUT: status.DEADLINE_EXCEEDED,
  TESSERA_FORBIDDEN: status.PERMISSION_DENIED,
};

/**
 * The one error mapper of the gRPC adapter, the counterpart of http/map-error.ts: a RequestError becomes its
 * status code (INVALID_ARGUMENT for a malformed request) with the message the HTTP verb answers in `Error`, and a
 * google.rpc.Status in the `grpc-status-details-bin` trailer with an ErrorInfo (reason = the HTTP body's `Code`)
 * and a BadRequest naming each problem by the HTTP path. A GrpcStatusError keeps its code; anything else is a bug:
 * logged with its stack and answered INTERNAL.
 */
export function mapGrpcError(err: unknown, log: Logger, context: Record<string, unknown>): Partial<StatusObject> {
  if (err instanceof RequestError) {
    const code = CODES[err.code];
    const violations = err.issues.map((i) => ({ field: i.path, description: i.message }));
    return withDetails(code, err.message, err.code, violations);
  }
  if (err instanceof GrpcStatusError) return { code: err.code, details: err.message, metadata: new Metadata() };
  const e = err instanceof Error ? err : new Error(String(err));
  log.error('grpc call failed with an internal error', { ...context, error: e.message, stack: e.stack });
  return withDetails(status.INTERNAL, `internal error: ${e.message}`, 'TESSERA_INTERNAL', []);
}

function withDetails(code: status, message: string, reason: string, violations: { field: string; description: string }[]): Partial<StatusObject> {
  const details = [anyPack(ErrorInfoSchema, create(ErrorInfoSchema, { reason, domain: ERROR_DOMAIN }))];
  if (violations.length > 0) details.push(anyPack(BadRequestSchema, create(BadRequestSchema, { fieldViolations: violations })));
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, encodeMessage(StatusSchema, create(StatusSchema, { code, message, details })));
  return { code, details: message, metadata };
}
