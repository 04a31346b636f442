import { isUtf8 } from 'node:buffer';
import type { NameCandidates } from '../name-candidates.js';
import { FNV_PRIME, HASH_START, type NodeNameIndex } from '../node-name-index.js';
import { candidatesOfList, RecentNameLists, type KnownList } from '../recent-name-lists.js';

/** A names-only Filter/Prioritize request read from its bytes: the pod JSON and the candidates resolved to ids. */
export interface NamesOnlyRequest {
  readonly kind: 'names';
  readonly podJson: string;
  readonly candidates: NameCandidates;
}


/**
 * Reads names-only Filter and Prioritize requests (tessera.v1.FilterRequest / PrioritizeRequest: field 1
 * `pod_json`, field 2 `node_names` = NodeNames{field 1 repeated `names`}) straight from the protobuf bytes, as the
 * HTTP adapter reads NodeNames from JSON bytes: each name is resolved to its NodeNameIndex id by hashing its bytes
 * (no string per name), and a list byte-identical to a recent one (Prioritize sends back Filter's answer, pods see
 * the same candidates) costs one memory compare. `read` answers null for anything else (the full-node form, a
 * field given twice, an empty name, text that is not UTF-8, groups, malformed bytes), and the caller decodes the
 * message with protobuf-es, whose generic path validates and reports it. When it answers, the generic decoding
 * gives the same pod_json and names.
 */
export class NamesRequestReader {
  private readonly recent: RecentNameLists;

  constructor(private readonly index: NodeNameIndex, capacity?: number) {
    this.recent = new RecentNameLists(index, capacity);
  }

  /** The request's pod JSON and candidates, or null when it must be decoded generically. */
  read(bytes: Buffer): NamesOnlyRequest | null {
    let podStart = -1;
    let podEnd = -1;
    let listStart = -1;
    let listEnd = -1;
    let i = 0;
    const end = bytes.length;
    while (i < end) {
      const tag = readVarint(bytes, i);
      if (tag < 0) return null;
      i = varintEnd;
      const wire = tag & 7;
      const field = tag >>> 3;
      if (wire === 2) {
        const length = readVarint(bytes, i);
        if (length < 0 || varintEnd + length > end) return null;
        const from = varintEnd;
        i = from + length;
        if (field === 1) {
          if (podStart >= 0) return null;
          podStart = from;
          podEnd = i;
        } else if (field === 2) {
          if (listStart >= 0) return null;
          listStart = from;
          listEnd = i;
        } else if (field === 3) {
          return null;
        }
        continue;
      }
      // Fields 1-3 are length-delimited; anything else here is an unknown field, skipped as proto3 does.
      if (field <= 3) return null;
      if (wire === 0) i = skipVarint(bytes, i);
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return null;
      if (i < 0) return null;
    }
    if (i !== end || listStart < 0) return null;
    // proto3 strings are UTF-8; the generic decoder refuses anything else, and so does this one.
    if (podStart >= 0 && !isUtf8(bytes.subarray(podStart, podEnd))) return null;
    let known = this.recent.lookup(bytes, listStart, listEnd);
    if (known === null) {
      known = this.scan(bytes, listStart, listEnd);
      if (known === null) return null;
      this.recent.keep(known);
    }
    const podJson = podStart < 0 ? '' : bytes.toString('utf8', podStart, podEnd);
    return { kind: 'names', podJson, candidates: candidatesOfList(known, this.index) };
  }

  /**
   * Remembers a name list this server sends (the `node_names` entries of a Filter answer, which are exactly the
   * NodeNames payload of a Prioritize that echoes them), so that Prioritize is read by one compare.
   */
  remember(bytes: Uint8Array, ids: Int32Array): void {
    this.recent.remember(bytes, ids);
  }

  /** Resolves every name of the NodeNames payload `bytes[start, end)`; null when it holds anything but names. */
  private scan(bytes: Buffer, start: number, end: number): KnownList | null {
    const index = this.index;
    // Each name takes at least 3 bytes (tag, length, one byte): an upper bound on the count.
    const ids = new Int32Array(Math.floor((end - start) / 3) + 1);
    const unknown: number[] = [];
    let n = 0;
    let i = start;
    while (i < end) {
      if (bytes[i] !== 0x0a) return null; // field 1, length-delimited
      const length = readVarint(bytes, i + 1);
      if (length <= 0 || varintEnd + length > end) return null;
      const from = varintEnd;
      const to = from + length;
      let h = HASH_START;
      for (let k = from; k < to; k += 1) h = Math.imul(h ^ (bytes[k] as number), FNV_PRIME);
      const id = index.find(bytes, from, to, h >>> 0);
      if (id < 0) {
        // Indexed names are UTF-8 by construction; others are checked.
        if (!isUtf8(bytes.subarray(from, to))) return null;
        unknown.push(n, from - start, to - start);
      }
      ids[n] = id;
      n += 1;
      i = to;
    }
    return { bytes: Buffer.from(bytes.subarray(start, end)), ids: ids.slice(0, n), unknown: Int32Array.from(unknown) };
  }
}

/** Where the last readVarint stopped (module scratch, so the reader allocates nothing per varint). */
let varintEnd = 0;

/** The varint at `bytes[at]` (up to 31 bits; sets varintEnd), or -1 when it is longer, truncated or too large. */
function readVarint(bytes: Buffer, at: number): number {
  let value = 0;
  let shift = 0;
  let i = at;
  while (i < bytes.length && shift <= 28) {
    const b = bytes[i] as number;
    i += 1;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      varintEnd = i;
      return value < 0 ? -1 : value;
    }
    shift += 7;
  }
  return -1;
}

/** The end of the varint at `bytes[at]` (up to 10 bytes), or -1 when it is truncated or too long. */
function skipVarint(bytes: Buffer, at: number): number {
  for (let i = at; i < bytes.length && i < at + 10; i += 1) if ((bytes[i] as number) < 0x80) return i + 1;
  return -1;
}
