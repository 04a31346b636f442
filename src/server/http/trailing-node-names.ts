import type { NameCandidates } from '../name-candidates.js';
import { FNV_PRIME, HASH_START, type NodeNameIndex } from '../node-name-index.js';

const MARKER = Buffer.from(',"NodeNames":[');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
/** Name lists remembered (a few pods' filter requests and answers cover kube-scheduler's pattern). */
const DEFAULT_RECENT = 8;
/** Longer lists are read but not kept (5,000 names are about 50 KB; this bounds what 8 kept lists can hold). */
const MAX_KEPT_BYTES = 4 * 1024 * 1024;

/** A body split before its trailing NodeNames: the head (to JSON.parse) and the names resolved from bytes. */
export interface TrailingNodeNames {
  /** `body[0, headEnd)` + `}` is the body without NodeNames. */
  readonly headEnd: number;
  /** Null when the list holds more than the `maxNames` given to `read` (it was not read to its end). */
  readonly candidates: NameCandidates | null;
  /** True when the list was byte-identical to a recent one (no scan). */
  readonly recent: boolean;
}

/** A name list seen before: its bytes (the text between `[` and `]`), ids, and where unknown names sit in it. */
interface KnownList {
  readonly bytes: Buffer;
  readonly ids: Int32Array;
  /** Offsets in `bytes` of the names the index did not know: [candidate, start, end] triples. */
  unknown: Int32Array;
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
  private readonly recent: KnownList[] = [];

  constructor(private readonly index: NodeNameIndex, private readonly capacity = DEFAULT_RECENT) {}

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
    let known = this.find(body, listStart, listEnd);
    const recent = known !== null;
    if (known !== null) {
      if (known.ids.length > maxNames) return { headEnd: at, candidates: null, recent };
      this.touch(known);
      if (known.unknown.length > 0) this.resolveUnknown(known);
    } else {
      const scanned = this.scan(body, listStart, listEnd, maxNames);
      if (scanned === null) return null;
      if (scanned === TOO_MANY) return { headEnd: at, candidates: null, recent };
      known = scanned;
      this.keep(known);
    }
    return { headEnd: at, candidates: candidatesOf(known, body, listStart, this.index), recent };
  }

  /**
   * Remembers a name list this server is sending (filter's NodeNames: `bytes` between the brackets, every
   * name known to the index), so the prioritize that echoes it is recognised by one compare.
   */
  remember(bytes: Uint8Array, ids: Int32Array): void {
    const same = this.find(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), 0, bytes.length);
    if (same !== null) {
      // The same list again (the same survivors as a recent pod): it keeps its identity.
      this.touch(same);
      return;
    }
    this.keep({ bytes: Buffer.from(bytes), ids: ids.slice(), unknown: new Int32Array(0) });
  }

  private find(body: Buffer, start: number, end: number): KnownList | null {
    const length = end - start;
    for (let k = this.recent.length - 1; k >= 0; k -= 1) {
      const list = this.recent[k] as KnownList;
      if (list.bytes.length === length && body.compare(list.bytes, 0, length, start, end) === 0) return list;
    }
    return null;
  }

  /** Gives ids to the list's names that the index has learnt since the list was scanned. */
  private resolveUnknown(list: KnownList): void {
    const still: number[] = [];
    const u = list.unknown;
    for (let k = 0; k < u.length; k += 3) {
      const id = this.index.idOf(list.bytes.toString('utf8', u[k + 1], u[k + 2]));
      if (id >= 0) list.ids[u[k] as number] = id;
      else still.push(u[k] as number, u[k + 1] as number, u[k + 2] as number);
    }
    if (still.length < u.length) list.unknown = Int32Array.from(still);
  }

  /** Marks `list` most recently used. */
  private touch(list: KnownList): void {
    const at = this.recent.indexOf(list);
    if (at === this.recent.length - 1) return;
    this.recent.splice(at, 1);
    this.recent.push(list);
  }

  private keep(list: KnownList): void {
    if (this.capacity === 0 || list.bytes.length > MAX_KEPT_BYTES) return;
    this.recent.push(list);
    if (this.recent.length > this.capacity) this.recent.shift();
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

/** Candidates over a known list; their ids are the request's own wherever the service may fill one in. */
function candidatesOf(list: KnownList, body: Buffer, listStart: number, index: NodeNameIndex): NameCandidates {
  // The service writes an id only where it is -1 (a name it learns): a list without such names is shared as is.
  const ids = list.unknown.length === 0 ? list.ids : list.ids.slice();
  const unknown = list.unknown;
  let spans: Map<number, number> | null = null;
  return {
    count: ids.length,
    ids,
    list,
    name: (i) => {
      const id = list.ids[i] as number;
      if (id >= 0) return index.name(id);
      if (spans === null) {
        spans = new Map();
        for (let k = 0; k < unknown.length; k += 3) spans.set(unknown[k] as number, k);
      }
      const k = spans.get(i) as number;
      return body.toString('utf8', listStart + (unknown[k + 1] as number), listStart + (unknown[k + 2] as number));
    },
  };
}
