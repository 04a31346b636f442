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
  | 'TESSERA_METHOD_NOT_ALLOWED';

const STATUS: Record<RequestErrorCode, number> = {
  TESSERA_BAD_JSON: 400,
  TESSERA_BAD_REQUEST: 400,
  TESSERA_BODY_TOO_LARGE: 413,
  TESSERA_NOT_FOUND: 404,
  TESSERA_METHOD_NOT_ALLOWED: 405,
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
