import type { IncomingMessage } from 'node:http';
import { RequestAbortedError, RequestError } from '../request-error.js';
import { jsonDepth } from './json-depth.js';
import { MAX_JSON_DEPTH } from './request-limits.js';

/**
 * Reads the whole body as bytes, refusing more than `maxBytes` (413) from the Content-Length header up front or
 * while streaming, and a body not complete by `deadline` (a `Date.now()` instant; 408). A client that goes away
 * mid-body rejects with RequestAbortedError.
 */
export async function readBody(req: IncomingMessage, maxBytes: number, verb: string, deadline = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new RequestError('TESSERA_BODY_TOO_LARGE', `cannot ${verb}: request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes (sized from the fleet: bodyBaseBytes + bodyBytesPerNode x nodes, at most maxBodyBytes)`);
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | null = null;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (timer !== null) clearTimeout(timer);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        done();
        reject(new RequestError('TESSERA_BODY_TOO_LARGE', `cannot ${verb}: request body exceeds the limit of ${maxBytes} bytes (sized from the fleet: bodyBaseBytes + bodyBytesPerNode x nodes, at most maxBodyBytes)`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      done();
      reject(new RequestAbortedError(`cannot ${verb}: the client went away while sending the body: ${err.message}`));
    };
    const onClose = (): void => {
      if (req.complete) return;
      done();
      reject(new RequestAbortedError(`cannot ${verb}: the client closed the connection after ${size} bytes of the body`));
    };
    const began = Date.now();
    const wait = deadline - began;
    if (Number.isFinite(wait)) {
      timer = setTimeout(() => {
        done();
        reject(new RequestError('TESSERA_REQUEST_TIMEOUT', `cannot ${verb}: the request body did not arrive in time: ${size} bytes in ${((Date.now() - began) / 1000).toFixed(1)} s (requestTimeoutSeconds)`));
      }, Math.max(0, wait));
    }
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/**
 * Parses `body[start, end)` as JSON: 400 with the parser's position when it is not JSON or is empty, and 400
 * `TESSERA_TOO_DEEP` when it nests deeper than MAX_JSON_DEPTH (checked on the bytes first, so no validator or
 * error renderer ever walks a 10,000-deep value).
 */
export function parseJsonBody(body: Buffer, verb: string, suffix = '', end = body.length): unknown {
  if (jsonDepth(body, 0, end, MAX_JSON_DEPTH) < 0) {
    throw new RequestError('TESSERA_TOO_DEEP', `cannot ${verb}: request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const text = body.toString('utf8', 0, end) + suffix;
  if (text.trim() === '') throw new RequestError('TESSERA_BAD_JSON', `cannot ${verb}: request body is empty: expected a JSON object`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RequestError('TESSERA_BAD_JSON', `cannot ${verb}: request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads and parses a JSON body (readBody, then parseJsonBody). */
export async function readJsonBody(req: IncomingMessage, maxBytes: number, verb: string, deadline?: number): Promise<unknown> {
  return parseJsonBody(await readBody(req, maxBytes, verb, deadline), verb);
}
