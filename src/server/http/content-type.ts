import type { IncomingMessage } from 'node:http';
import { RequestError } from '../request-error.js';

/**
 * Refuses (415) a body that does not say it is JSON: the media type must be `application/json` (any case,
 * parameters such as `charset=utf-8` allowed), which is what kube-scheduler's extender client sends.
 */
export function requireJson(req: IncomingMessage, verb: string): void {
  const header = req.headers['content-type'];
  const media = (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (media === 'application/json') return;
  throw new RequestError(
    'TESSERA_UNSUPPORTED_MEDIA_TYPE',
    `cannot ${verb}: the request body must be JSON: send "Content-Type: application/json"${header === undefined ? ' (no Content-Type was sent)' : `, got ${JSON.stringify(header.slice(0, 100))}`}`,
  );
}
