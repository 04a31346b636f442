import type { NameCandidates } from '../name-candidates.js';
import { FNV_PRIME, HASH_START, type NodeNameIndex } from '../node-name-index.js';
import { candidatesOfList, RecentNameLists, type KnownList } from '../recent-name-lists.js';

const MARKER = Buffer.from(',"NodeNames":[');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/** A body split before its trailing NodeNames: the head (to JSON.parse) and the names resolved from bytes. */
export interface TrailingNodeNames {
  /** `body[0, headEnd)` + `}` is the body without NodeNames. */
  readonly headEnd: number;
  /** Null when the list holds more than the `maxNames` given to `read` (it was not read to its end). */
  readonly candidates: NameCandidates | null;
  /** True when the list was byte-identical to a recent one (no scan). */
  readonly recent: boolean;
}


/** `scan`'s answer for a list longer than allowed. */
const TOO_MANY = Symbol('too many names');

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Reads the NodeNames of filter/prioritize bodies straight from their bytes when a body ends the way
 * kube-scheduler writes it (`…,"NodeNames":["a","b",…]}`: Go marshals ExtenderArgs' fields in order, NodeNames
 * last), resolving each name to its index id by its bytes. A list byte-identical to a recent one (prioritize
 * sends back filter's answer; pods of one shape see the same candidates) costs one memory compare; a new list
 * is scanned (about 0.3-0.7 ms for 5,000 names, where JSON.parse and a map lookup per name take about 1 ms).
 * `read` answers null, and the caller parses the whole body, for anything else: another key order, whitespace
 * inside the list, escapes in a name, an empty name, a malformed list. When it answers, JSON.parse(body)
 * equals JSON.parse(head + '}') with NodeNames set to these names: the names contain no quote, so the marker
 * cannot sit inside a string, and the list is the body's last member (a later duplicate key wins in
 * JSON.parse, as here).
 */
export class NodeNamesReader {
  private readonly recent: RecentNameLists;

  constructor(private readonly index: NodeNameIndex, capacity?: number) {
    this.recent = new RecentNameLists(index, capacity);
  }

  /**
   * The body's trailing NodeNames, or null when the body must be parsed whole. A list of more than `maxNames`
   * names stops being scanned there and answers `candidates: null`.
   */
  read(body: Buffer, maxNames = Number.POSITIVE_INFINITY): TrailingNodeNames | null {
    let end = body.length;
    while (end > 0 && isSpace(body[end - 1] as number)) end -= 1;
    if (end < 2 || body[end - 1] !== CLOSE_BRACE || body[end - 2] !== CLOSE_BRACKET) return null;
    const at = body.lastIndexOf(MARKER, end - 1);
    if (at <= 0) return null;
    const listStart = at + MARKER.length;
    const listEnd = end - 2;
    let known = this.recent.lookup(body, listStart, listEnd);
    const recent = known !== null;
    if (known !== null) {
      if (known.ids.length > maxNames) return { headEnd: at, candidates: null, recent };
    } else {
      const scanned = this.scan(body, listStart, listEnd, maxNames);
      if (scanned === null) return null;
      if (scanned === TOO_MANY) return { headEnd: at, candidates: null, recent };
      known = scanned;
      this.recent.keep(known);
    }
    return { headEnd: at, candidates: candidatesOfList(known, this.index), recent };
  }

  /**
   * Remembers a name list this server is sending (filter's NodeNames: `bytes` between the brackets, every
   * name known to the index), so the prioritize that echoes it is recognised by one compare.
   */
  remember(bytes: Uint8Array, ids: Int32Array): void {
    this.recent.remember(bytes, ids);
  }

  /**
   * Resolves every name of `body[start, end)` by its bytes; null when the list is not plain names, TOO_MANY when
   * it is but holds more than `maxNames` names (the names past the cap are checked, not resolved, so a list
   * answers TOO_MANY exactly when JSON.parse would read it and find it too long).
   */
  private scan(body: Buffer, start: number, end: number, maxNames: number): KnownList | typeof TOO_MANY | null {
    const index = this.index;
    // Each name takes at least 4 bytes with its quotes and comma: an upper bound on the count.
    const ids = new Int32Array(Math.min(((end - start + 1) >> 2) + 1, maxNames));
    const unknown: number[] = [];
    let n = 0;
    let i = start;
    while (i < end) {
      if (body[i] !== QUOTE) return null;
      i += 1;
      const from = i;
      let h = HASH_START;
      let b = body[i] as number;
      while (b !== QUOTE) {
        if (b === BACKSLASH || b < 0x20 || i >= end) return null;
        h = Math.imul(h ^ b, FNV_PRIME);
        i += 1;
        b = body[i] as number;
      }
      if (i === from) return null;
      if (n < maxNames) {
        const id = index.find(body, from, i, h >>> 0);
        if (id < 0) unknown.push(n, from - start, i - start);
        ids[n] = id;
      }
      n += 1;
      i += 1;
      if (i === end) break;
      if (body[i] !== COMMA) return null;
      i += 1;
      if (i === end) return null;
    }
    if (n > maxNames) return TOO_MANY;
    return { bytes: Buffer.from(body.subarray(start, end)), ids: ids.slice(0, n), unknown: Int32Array.from(unknown) };
  }
}
