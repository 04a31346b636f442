import type { NameCandidates } from './name-candidates.js';
import type { NodeNameIndex } from './node-name-index.js';

/** A name list seen before: its bytes (the list's payload as the transport wrote it), ids, and where unknown names sit. */
export interface KnownList {
  readonly bytes: Buffer;
  readonly ids: Int32Array;
  /** [candidate, start, end] triples, offsets in `bytes`, of the names the index did not know. */
  unknown: Int32Array;
}

/** Lists remembered: a few pods' candidate lists and filter answers cover a scheduler's pattern. */
const DEFAULT_RECENT = 8;
/** Longer lists are read but not kept (5,000 names are about 50 KB; this bounds what 8 kept lists can hold). */
const MAX_KEPT_BYTES = 4 * 1024 * 1024;

/**
 * The name lists a byte reader saw last (HTTP's NodeNames, gRPC's node_names), most recent last, so that a list
 * byte-identical to a recent one (prioritize echoing filter's answer, pods seeing the same candidates) is read
 * with one memory compare instead of a scan. Both transports' readers own one.
 */
export class RecentNameLists {
  private readonly lists: KnownList[] = [];

  constructor(private readonly index: NodeNameIndex, private readonly capacity = DEFAULT_RECENT) {}

  /**
   * The kept list byte-identical to `bytes[start, end)`, marked most recently used, with ids given to the names the
   * index has learnt since it was read; null when none is.
   */
  lookup(bytes: Buffer, start: number, end: number): KnownList | null {
    const length = end - start;
    for (let k = this.lists.length - 1; k >= 0; k -= 1) {
      const list = this.lists[k] as KnownList;
      if (list.bytes.length === length && bytes.compare(list.bytes, 0, length, start, end) === 0) {
        this.touch(k);
        if (list.unknown.length > 0) this.resolveUnknown(list);
        return list;
      }
    }
    return null;
  }

  /** Keeps a list just scanned (unless it is too long to keep), dropping the least recently used beyond capacity. */
  keep(list: KnownList): void {
    if (this.capacity === 0 || list.bytes.length > MAX_KEPT_BYTES) return;
    this.lists.push(list);
    if (this.lists.length > this.capacity) this.lists.shift();
  }

  /**
   * Remembers a name list this server sends (filter's answer, every name known to the index), so the prioritize
   * that echoes it is recognised by one compare. The same list again keeps its identity.
   */
  remember(bytes: Uint8Array, ids: Int32Array): void {
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (this.lookup(view, 0, view.length) !== null) return;
    this.keep({ bytes: Buffer.from(view), ids: ids.slice(), unknown: new Int32Array(0) });
  }

  private touch(at: number): void {
    if (at === this.lists.length - 1) return;
    const [list] = this.lists.splice(at, 1);
    this.lists.push(list as KnownList);
  }

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
}

/** Candidates over a known list; their ids are the request's own wherever the service may fill one in. */
export function candidatesOfList(list: KnownList, index: NodeNameIndex): NameCandidates {
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
      return list.bytes.toString('utf8', unknown[k + 1] as number, unknown[k + 2] as number);
    },
  };
}
