/** One problem found while parsing untrusted input, located by a JSON-path-like `path` (e.g. `metadata.annotations["tessera.io/topology"]`). */
export interface ParseIssue {
  readonly path: string;
  readonly message: string;
}

/** Result of parsing untrusted input: the value, or every problem found (never a partial value). */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly ParseIssue[] };

/** Wraps a parsed value. */
export function parsed<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

/** Wraps parse problems; `errors` must not be empty. */
export function failed<T>(errors: readonly ParseIssue[]): ParseResult<T> {
  return { ok: false, errors };
}
