import type { NodeNameIndex } from './node-name-index.js';

/**
 * The candidate nodes of a names-only request (`nodeCacheCapable: true`), in request order, resolved to ids of
 * the service's NodeNameIndex. Candidate `i` has id `ids[i]`, or -1 when the index does not know its name yet.
 * Readers may only write an id where it is -1 (the array may be shared by requests that sent the same list).
 */
export interface NameCandidates {
  readonly count: number;
  readonly ids: Int32Array;
  /** The name of candidate `i` (decoded on demand by candidates read from bytes). */
  name(i: number): string;
  /**
   * Identity of the name list these candidates were read from, shared by every request that sent the very same
   * list (absent when unknown): answer writers keep answers per list.
   */
  readonly list?: object;
}

/** Candidates from an already parsed NodeNames list (the JSON.parse path and in-process callers). */
export function candidatesFromNames(names: readonly string[], index: NodeNameIndex): NameCandidates {
  const ids = new Int32Array(names.length);
  for (let i = 0; i < names.length; i += 1) ids[i] = index.idOf(names[i] as string);
  return { count: names.length, ids, name: (i) => names[i] as string };
}
