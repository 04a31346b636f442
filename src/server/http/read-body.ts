import type { IncomingMessage } from 'node:http';
import { RequestError } from '../request-error.js';

/**
 * Reads the whole body as bytes, refusing more than `maxBytes` (413) from the Content-Length header up front or
 * while streaming.
 */
export async function readBody(req: IncomingMessage, maxBytes: number, verb: string): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new RequestError('TESSERA_BODY_TOO_LARGE', `cannot ${verb}: request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes (maxBodyBytes)`);
  }
  return new Promise<Buffer>((resolve, reject) => {
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
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

/** Parses a body as JSON: 400 with the parser's position when it is not JSON, or when it is empty. */
export function parseJsonBody(body: Buffer, verb: string): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw new RequestError('TESSERA_BAD_JSON', `cannot ${verb}: request body is empty: expected a JSON object`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RequestError('TESSERA_BAD_JSON', `cannot ${verb}: request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads and parses a JSON body (readBody, then parseJsonBody). */
export async function readJsonBody(req: IncomingMessage, maxBytes: number, verb: string): Promise<unknown> {
  return parseJsonBody(await readBody(req, maxBytes, verb), verb);
}
