import type { Logger } from '../../telemetry/logger.js';
import { RequestError } from '../request-error.js';

/** An HTTP answer for an error: status and JSON body `{Error, Code, Issues}`. */
export interface ErrorResponse {
  readonly status: number;
  readonly body: { Error: string; Code: string; Issues: readonly { path: string; message: string }[] };
}

/**
 * The one error mapper of the HTTP adapter: RequestError -> its 4xx with the message and issues; anything else
 * is a bug: logged with its stack and answered 500 (the server keeps serving).
 */
export function mapError(err: unknown, log: Logger, context: Record<string, unknown>): ErrorResponse {
  if (err instanceof RequestError) {
    return { status: err.status, body: { Error: err.message, Code: err.code, Issues: err.issues } };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  log.error('request failed with an internal error', { ...context, error: e.message, stack: e.stack });
  return {
    status: 500,
    body: { Error: `internal error: ${e.message}`, Code: 'TESSERA_INTERNAL', Issues: [] },
  };
}
