import type { NameCandidates } from '../name-candidates.js';
import { RequestError } from '../request-error.js';
import type { ExtenderArgs } from '../wire-schemas.js';

/** How a names-only body's NodeNames were read: the same bytes as a recent list, scanned from bytes, or JSON.parse. */
export type NamesRead = 'recent' | 'bytes' | 'parsed';

/** A validated filter/prioritize body; `candidates` and `namesRead` are set for names-only bodies, else null. */
export interface ParsedExtenderArgs {
  readonly args: ExtenderArgs;
  readonly candidates: NameCandidates | null;
  readonly namesRead: NamesRead | null;
}

/**
 * Reads a filter/prioritize body (ExtenderArgs) into validated arguments. Two implementations, chosen per body
 * by ExtenderArgsParser: the byte fast path (`ByteExtenderArgsReader`, kube-scheduler's own layout only) and
 * the plain JSON path (`JsonExtenderArgsReader`, any layout). On every body both accept they answer the same
 * arguments, or throw the same RequestError (test/server/hostile-input.fuzz.test.ts holds them to it).
 */
export interface ExtenderArgsReader {
  /**
   * The validated arguments of `body`; null when this reader does not read bodies laid out this way (the next
   * reader must); throws a 4xx RequestError naming what is wrong.
   */
  read(body: Buffer, verb: string): ParsedExtenderArgs | null;
}

/** The 400 for a request listing more nodes than allowed (RequestLimits.names). */
export function tooManyNodes(verb: string, limit: number): RequestError {
  return new RequestError('TESSERA_TOO_MANY_NODES', `cannot ${verb}: the request lists more than ${limit} nodes (1024 + 2 x the nodes Tessera knows, at most maxNodeNames)`);
}
