import type { z } from 'zod';
import { RequestError, type RequestIssue } from './request-error.js';
import { valueAt } from '../util/value-at.js';

/** Longest rendering of an offending value in an error message. */
const MAX_VALUE_CHARS = 80;

/**
 * Validates a parsed JSON body against `schema`; throws a 400 RequestError naming every issue by path and
 * value, e.g. `Pod.spec.containers: expected array, received string (value "x")`.
 */
export function validateBody<S extends z.ZodType>(schema: S, body: unknown, verb: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues: RequestIssue[] = result.error.issues.slice(0, 20).map((issue) => {
    const path = formatPath(issue.path);
    const value = valueAt(body, issue.path);
    const shown = value === undefined ? '' : ` (value ${render(value)})`;
    return { path, message: `${issue.message}${shown}` };
  });
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new RequestError('TESSERA_BAD_REQUEST', `cannot ${verb}: invalid request body: ${summary}`, issues);
}

/** `['Pod','spec','containers',0]` -> `Pod.spec.containers[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '(body)' : out;
}

function render(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}
