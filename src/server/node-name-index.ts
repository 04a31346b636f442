import { nodeTieKey } from '../algorithm/node-rank.js';

const FNV_OFFSET = 0x811c9dc5;
/** FNV-1a's 32-bit prime (scanners that hash while they read use it inline). */
export const FNV_PRIME = 0x01000193;
const EMPTY = -1;

/** FNV-1a over bytes `[start, end)` of `bytes` (32 bits; the index and the body scanner must agree on it). */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET | 0;
  for (let i = start; i < end; i += 1) h = Math.imul(h ^ (bytes[i] as number), FNV_PRIME);
  return h >>> 0;
}

/** The initial value of a hashBytes chain, for scanners that hash while they read (finish with `>>> 0`). */
export const HASH_START = FNV_OFFSET | 0;

/**
 * Node names as small integer ids, findable from their UTF-8 bytes: the extender resolves the 5,000 names of a
 * request body straight from the bytes (no JSON.parse, no string hashing), keeps per-node answers in arrays by
 * id, and writes each name's JSON back from bytes kept here. Ids are never reused or removed (a deleted node's
 * id simply finds no node); the index only grows (about 50 bytes a name).
 */
export class NodeNameIndex {
  private readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  /** UTF-8 bytes of every name, back to back; `start[id]`, `length[id]` locate one. */
  private keyBytes: Uint8Array = new Uint8Array(1 << 16);
  private keyEnd = 0;
  private keyStart: Int32Array = new Int32Array(1024);
  private keyLength: Int32Array = new Int32Array(1024);
  /** JSON text of every name (`"name"`, escaped), back to back, for answer writers. */
  private jsonBytes: Uint8Array = new Uint8Array(1 << 16);
  private jsonEnd = 0;
  private jsonStart: Int32Array = new Int32Array(1024);
  private jsonLength: Int32Array = new Int32Array(1024);
  /** Open addressing over ids by hash of the key bytes; EMPTY marks a free slot. */
  private table: Int32Array = new Int32Array(2048).fill(EMPTY);
  /** `nodeTieKey` of every name, by id: which of equally ranked nodes gets the top extender score. */
  private tieKeyOf: Float64Array = new Float64Array(1024);

  /** The tie key (node-rank.ts `nodeTieKey`) of the name with id `id`. */
  tieKey(id: number): number {
    return this.tieKeyOf[id] as number;
  }

  /** Names indexed. */
  get size(): number {
    return this.names.length;
  }

  /** The id of `name`, or -1. */
  idOf(name: string): number {
    return this.ids.get(name) ?? -1;
  }

  /** The id of `name`, indexing it first when new. */
  intern(name: string): number {
    const known = this.ids.get(name);
    if (known !== undefined) return known;
    const id = this.names.length;
    if (id >= this.keyStart.length) this.growIds();
    const key = new TextEncoder().encode(name);
    const json = new TextEncoder().encode(JSON.stringify(name));
    this.keyBytes = ensureRoom(this.keyBytes, this.keyEnd + key.length);
    this.keyBytes.set(key, this.keyEnd);
    this.keyStart[id] = this.keyEnd;
    this.keyLength[id] = key.length;
    this.keyEnd += key.length;
    this.jsonBytes = ensureRoom(this.jsonBytes, this.jsonEnd + json.length);
    this.jsonBytes.set(json, this.jsonEnd);
    this.jsonStart[id] = this.jsonEnd;
    this.jsonLength[id] = json.length;
    this.jsonEnd += json.length;
    this.tieKeyOf[id] = nodeTieKey(name);
    this.names.push(name);
    this.ids.set(name, id);
    if (this.names.length * 2 > this.table.length) this.rehash(this.table.length * 2);
    else this.place(id);
    return id;
  }

  /** The name of `id`. */
  name(id: number): string {
    return this.names[id] as string;
  }

  /**
   * The id of the name whose UTF-8 bytes are `bytes[start, end)`, given their hashBytes `hash`, or -1.
   * Allocation-free: the request scanner calls it once per name.
   */
  find(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const mask = this.table.length - 1;
    const length = end - start;
    const keys = this.keyBytes;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.table[slot] as number;
      if (id === EMPTY) return -1;
      if (this.keyLength[id] !== length) continue;
      const at = this.keyStart[id] as number;
      let k = 0;
      while (k < length && keys[at + k] === bytes[start + k]) k += 1;
      if (k === length) return id;
    }
  }

  /**
   * The JSON text of every name (`"name"`, escaped): name `id`'s is `bytes[start[id], start[id] + length[id])`.
   * The arrays are the index's own, valid until the next `intern`; answer writers copy from them.
   */
  jsonText(): { readonly bytes: Uint8Array; readonly start: Int32Array; readonly length: Int32Array } {
    return { bytes: this.jsonBytes, start: this.jsonStart, length: this.jsonLength };
  }

  /**
   * The UTF-8 bytes of every name, unescaped: name `id`'s is `bytes[start[id], start[id] + length[id])`. Valid until
   * the next `intern`; the gRPC answer encoders copy from them.
   */
  keyText(): { readonly bytes: Uint8Array; readonly start: Int32Array; readonly length: Int32Array } {
    return { bytes: this.keyBytes, start: this.keyStart, length: this.keyLength };
  }

  private place(id: number): void {
    const mask = this.table.length - 1;
    const at = this.keyStart[id] as number;
    let slot = hashBytes(this.keyBytes, at, at + (this.keyLength[id] as number)) & mask;
    while (this.table[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.table[slot] = id;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size).fill(EMPTY);
    for (let id = 0; id < this.names.length; id += 1) this.place(id);
  }

  private growIds(): void {
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.keyStart = grow(this.keyStart);
    this.keyLength = grow(this.keyLength);
    this.jsonStart = grow(this.jsonStart);
    this.jsonLength = grow(this.jsonLength);
    const tie = new Float64Array(this.tieKeyOf.length * 2);
    tie.set(this.tieKeyOf);
    this.tieKeyOf = tie;
  }
}

function ensureRoom(bytes: Uint8Array, needed: number): Uint8Array {
  if (needed <= bytes.length) return bytes;
  let size = bytes.length * 2;
  while (size < needed) size *= 2;
  const b = new Uint8Array(size);
  b.set(bytes);
  return b;
}
