import { ApiException } from '@kubernetes/client-node';

/** True when `err` is an API answer with HTTP status `code` (404, 409, …). */
export function isApiStatus(err: unknown, code: number): boolean {
  return err instanceof ApiException && err.code === code;
}

/**
 * One-line description of an API failure for messages: the Status message the apiserver sent when there is
 * one, else the error's own message.
 */
export function apiErrorMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = err.body;
    let text = typeof body === 'string' ? body : '';
    try {
      const parsed: unknown = typeof body === 'string' ? JSON.parse(body) : body;
      if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') {
        text = parsed.message;
      }
    } catch {
      // not JSON: keep the raw body
    }
    return `HTTP ${String(err.code)}${text === '' ? '' : `: ${text}`}`;
  }
  return err instanceof Error ? err.message : String(err);
}
