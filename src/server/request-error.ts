/** One problem with a request, located by path (`Pod.spec.containers`). */
export interface RequestIssue {
  readonly path: string;
  readonly message: string;
}

/** Stable codes of client errors. */
export type RequestErrorCode =
  | 'TESSERA_BAD_JSON'
  | 'TESSERA_BAD_REQUEST'
  | 'TESSERA_BODY_TOO_LARGE'
  | 'TESSERA_NOT_FOUND'
  | 'TESSERA_METHOD_NOT_ALLOWED'
  | 'TESSERA_TOO_DEEP'
  | 'TESSERA_TOO_MANY_NODES'
  | 'TESSERA_UNSUPPORTED_MEDIA_TYPE'
  | 'TESSERA_REQUEST_TIMEOUT'
  | 'TESSERA_FORBIDDEN';

const STATUS: Record<RequestErrorCode, number> = {
  TESSERA_BAD_JSON: 400,
  TESSERA_BAD_REQUEST: 400,
  TESSERA_BODY_TOO_LARGE: 413,
  TESSERA_NOT_FOUND: 404,
  TESSERA_METHOD_NOT_ALLOWED: 405,
  TESSERA_TOO_DEEP: 400,
  TESSERA_TOO_MANY_NODES: 400,
  TESSERA_UNSUPPORTED_MEDIA_TYPE: 415,
  TESSERA_REQUEST_TIMEOUT: 408,
  TESSERA_FORBIDDEN: 403,
};

/** A client error: answered with `status` and a body naming every issue; the state is never changed. */
export class RequestError extends Error {
  readonly status: number;

  constructor(readonly code: RequestErrorCode, message: string, readonly issues: readonly RequestIssue[] = []) {
    super(message);
    this.name = 'RequestError';
    this.status = STATUS[code];
  }
}

/**
 * The client went away before its request was read or answered (connection reset, closed mid-body). Not a
 * fault of Tessera's: counted in `tessera_http_requests_aborted_total`, never answered, never logged as an error.
 */
export class RequestAbortedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestAbortedError';
  }
}
