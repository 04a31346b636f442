import type { IncomingMessage } from 'node:http';
import { RequestError } from '../request-error.js';

/**
 * Reads the whole body, refusing more than `maxBytes` (413) from the Content-Length header up front or while
 * streaming, then parses it as JSON (400 with the parser's position when it is not JSON). `shortcut`, when given,
 * may answer the parse itself (it must return exactly what JSON.parse would, or undefined to decline).
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number, verb: string, shortcut?: (text: string) => unknown): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new RequestError('TESSERA_BODY_TOO_LARGE', `cannot ${verb}: request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes (maxBodyBytes)`);
  }
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.off('end', onEnd);
        reject(new RequestError('TESSERA_BODY_TOO_LARGE', `cannot ${verb}: request body exceeds the limit of ${maxBytes} bytes (maxBodyBytes)`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, size).toString('utf8'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
  const quick = shortcut?.(text);
  if (quick !== undefined) return quick;
  if (text.trim() === '') throw new RequestError('TESSERA_BAD_JSON', `cannot ${verb}: request body is empty: expected a JSON object`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RequestError('TESSERA_BAD_JSON', `cannot ${verb}: request body is not valid JSON: ${(err as Error).message}`);
  }
}
