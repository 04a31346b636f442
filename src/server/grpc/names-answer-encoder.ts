import type { NameCandidates } from '../name-candidates.js';
import { REPEATED, type NamesFilterAnswer } from '../names-filter-answer.js';
import type { NodeNameIndex } from '../node-name-index.js';
import { PASS, UNSCHEDULABLE } from '../standing-answers.js';
import type { NamesRequestReader } from './names-request-reader.js';

/** Distinct reasons kept encoded (they are few: one per way a node can fail). */
const MAX_KEPT_REASONS = 4096;

/**
 * Encodes names-only Filter and Prioritize answers as protobuf bytes (tessera.v1.FilterResponse /
 * PrioritizeResponse) straight from the service's compact answers: each name's UTF-8 bytes are copied from the
 * NodeNameIndex, each reason's from a small cache, with no message objects in between. The bytes decode (with
 * protobuf-es or any protobuf library) to the message the generic path would build; a test holds it to that.
 */
export class NamesAnswerEncoder {
  private readonly reasons = new Map<string, Buffer>();

  /** `lists`, when given, remembers each Filter answer's names so that the Prioritize echoing them is read fast. */
  constructor(private readonly index: NodeNameIndex, private readonly lists?: NamesRequestReader) {}

  /**
   * FilterResponse bytes: `node_names` (field 1) in request order, then one `failed_nodes` (2) or
   * `failed_and_unresolvable_nodes` (3) map entry per failed candidate. `answer.error` must be ''.
   */
  filter(answer: NamesFilterAnswer): Buffer {
    const { candidates, outcome, reasons } = answer;
    const count = candidates.count;
    const keys = this.index.keyText();
    const keyBytes = asBuffer(keys.bytes);
    const ids = candidates.ids;
    // Names the index does not know (rare: unknown nodes) are encoded once here.
    let own: (Buffer | undefined)[] | null = null;
    const nameLength = (i: number): number => {
      const id = ids[i] as number;
      if (id >= 0) return keys.length[id] as number;
      own ??= [];
      const bytes = own[i] ?? Buffer.from(candidates.name(i));
      own[i] = bytes;
      return bytes.length;
    };
    let size = 0;
    let allPassedIndexed = true;
    for (let i = 0; i < count; i += 1) {
      const code = outcome[i] as number;
      if (code === REPEATED) continue;
      const n = nameLength(i);
      if (code === PASS) {
        size += 1 + varintSize(n) + n;
        if ((ids[i] as number) < 0) allPassedIndexed = false;
      } else {
        const entry = mapEntrySize(n, this.reason(reasons[i] as string).length);
        size += 1 + varintSize(entry) + entry;
      }
    }
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    const writeName = (i: number): void => {
      const id = ids[i] as number;
      if (id >= 0) {
        const length = keys.length[id] as number;
        at = writeVarint(out, at, length);
        at = copy(keyBytes, keys.start[id] as number, length, out, at);
      } else {
        const bytes = (own as Buffer[])[i] as Buffer;
        at = writeVarint(out, at, bytes.length);
        at = copy(bytes, 0, bytes.length, out, at);
      }
    };
    for (let i = 0; i < count; i += 1) {
      if (outcome[i] !== PASS) continue;
      out[at] = 0x0a;
      at += 1;
      writeName(i);
    }
    const passedEnd = at;
    for (let i = 0; i < count; i += 1) {
      const code = outcome[i] as number;
      if (code === PASS || code === REPEATED) continue;
      const reason = this.reason(reasons[i] as string);
      const n = nameLength(i);
      out[at] = code === UNSCHEDULABLE ? 0x12 : 0x1a;
      at = writeVarint(out, at + 1, mapEntrySize(n, reason.length));
      out[at] = 0x0a;
      at += 1;
      writeName(i);
      out[at] = 0x12;
      at = writeVarint(out, at + 1, reason.length);
      at = copy(reason, 0, reason.length, out, at);
    }
    if (this.lists !== undefined && answer.passed > 0 && allPassedIndexed) {
      const passedIds = new Int32Array(answer.passed);
      let k = 0;
      for (let i = 0; i < count; i += 1) if (outcome[i] === PASS) passedIds[k++] = ids[i] as number;
      this.lists.remember(out.subarray(0, passedEnd), passedIds);
    }
    return out;
  }

  /** PrioritizeResponse bytes: one HostPriority (host, score 0..10) per candidate, in request order. */
  priorities(candidates: NameCandidates, scores: Uint8Array): Buffer {
    const count = candidates.count;
    const keys = this.index.keyText();
    const keyBytes = asBuffer(keys.bytes);
    const ids = candidates.ids;
    const own: (Buffer | undefined)[] = [];
    let size = 0;
    for (let i = 0; i < count; i += 1) {
      const id = ids[i] as number;
      let n: number;
      if (id >= 0) {
        n = keys.length[id] as number;
      } else {
        own[i] = Buffer.from(candidates.name(i));
        n = (own[i] as Buffer).length;
      }
      const entry = 1 + varintSize(n) + n + ((scores[i] as number) === 0 ? 0 : 2);
      size += 1 + varintSize(entry) + entry;
    }
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (let i = 0; i < count; i += 1) {
      const id = ids[i] as number;
      const bytes = id >= 0 ? null : (own[i] as Buffer);
      const n = bytes === null ? (keys.length[id] as number) : bytes.length;
      const score = scores[i] as number;
      out[at] = 0x0a;
      at = writeVarint(out, at + 1, 1 + varintSize(n) + n + (score === 0 ? 0 : 2));
      out[at] = 0x0a;
      at = writeVarint(out, at + 1, n);
      at = bytes === null ? copy(keyBytes, keys.start[id] as number, n, out, at) : copy(bytes, 0, n, out, at);
      if (score !== 0) {
        // field 2 (int32 score), a one-byte varint: scores are 0..10.
        out[at] = 0x10;
        out[at + 1] = score;
        at += 2;
      }
    }
    return out;
  }

  private reason(text: string): Buffer {
    let bytes = this.reasons.get(text);
    if (bytes === undefined) {
      if (this.reasons.size >= MAX_KEPT_REASONS) this.reasons.clear();
      bytes = Buffer.from(text);
      this.reasons.set(text, bytes);
    }
    return bytes;
  }
}

/** Copies `length` bytes from `from[start]` to `to[at]`; returns the end. Short runs by a loop, longer ones natively. */
function copy(from: Buffer, start: number, length: number, to: Buffer, at: number): number {
  if (length > 24) return at + from.copy(to, at, start, start + length);
  for (let k = 0; k < length; k += 1) to[at + k] = from[start + k] as number;
  return at + length;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Bytes of a map<string,string> entry: key (field 1) and value (field 2). */
function mapEntrySize(keyLength: number, valueLength: number): number {
  return 1 + varintSize(keyLength) + keyLength + 1 + varintSize(valueLength) + valueLength;
}

function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Writes `n` (non-negative, below 2^31) as a varint at `at`; returns the end. */
function writeVarint(out: Buffer, at: number, n: number): number {
  let v = n;
  let i = at;
  while (v >= 0x80) {
    out[i] = (v & 0x7f) | 0x80;
    v >>>= 7;
    i += 1;
  }
  out[i] = v;
  return i + 1;
}
