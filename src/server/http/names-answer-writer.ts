import type { NameCandidates } from '../name-candidates.js';
import { REPEATED, toFilterResult, type NamesFilterAnswer } from '../names-filter-answer.js';
import type { NodeNameIndex } from '../node-name-index.js';
import { PASS, UNSCHEDULABLE } from '../standing-answers.js';
import type { NodeNamesReader } from './trailing-node-names.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const FILTER_OPEN = ascii('{"Nodes":null,"NodeNames":[');
const FAILED_OPEN = ascii('],"FailedNodes":{');
const UNRESOLVABLE_OPEN = ascii('},"FailedAndUnresolvableNodes":{');
const FILTER_CLOSE = ascii('},"Error":""}');
const HOST_OPEN = ascii('{"Host":');
const SCORE_OPEN = ascii(',"Score":');
/**
 * Scores are written two characters wide (` 7`, `10`: JSON allows the space), so a kept answer is patched in
 * place when a few nodes' scores change.
 */
const SCORE_TEXT = Array.from({ length: 11 }, (_, i) => ascii(i < 10 ? ` ${i}` : `${i}`));
const COMMA = 0x2c;
const COLON = 0x3a;
const CLOSE_BRACE = 0x7d;
/** Distinct rejection reasons whose JSON bytes are kept. */
const MAX_REASONS = 10_000;
/** Answers kept per name list (pods of different shapes over the same candidates). */
const ANSWERS_PER_LIST = 4;

/** A filter answer written for a name list, reusable while every outcome and reason is the same. */
interface KeptFilter {
  readonly outcome: Uint8Array;
  readonly reasons: readonly (string | undefined)[];
  readonly bytes: Buffer;
}

/**
 * A priority list as written: per entry its node id, score, where the entry starts and where its two score
 * characters are; `position[id]` (built on first use) is the first entry of node `id`, or -1.
 */
interface KeptPriorities {
  readonly list: object | undefined;
  readonly ids: Int32Array;
  readonly scores: Uint8Array;
  readonly start: Int32Array;
  readonly at: Int32Array;
  readonly bytes: Buffer;
  position: Int32Array | null;
}

/** The NodeNames members of a filter answer as written: per entry its id and byte range in `bytes`. */
interface KeptNames {
  readonly ids: Int32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly bytes: Buffer;
  position: Int32Array | null;
}

/** Bytes of an entry besides the name: `{"Host":` `,"Score":` two score characters and `}`. */
const ENTRY_FIXED = HOST_OPEN.length + SCORE_OPEN.length + 2 + 1;

/**
 * Writes names-only answers as UTF-8 JSON by copying bytes: each node name's JSON text comes from the
 * NodeNameIndex, each rejection reason's from a small cache, so a 5,000-node answer is a few hundred
 * microseconds of copying instead of building and stringifying 5,000 objects. Answers are also kept per name
 * list (NameCandidates.list): a filter answer whose outcomes all equal a kept one is that answer's bytes, and a
 * priority list copies unchanged runs of entries from the last one, patching scores (a bind changes one node,
 * not 5,000). Sent buffers are never written again. The bytes parse to exactly the wire object (`toFilterResult`; a
 * HostPriorityList in request order).
 */
export class NamesAnswerWriter {
  private readonly reasons = new Map<string, Uint8Array>();
  private readonly filters = new WeakMap<object, KeptFilter[]>();
  /** The last priority list written: the next one copies its unchanged runs of entries from it. */
  private lastPriorities: KeptPriorities | null = null;
  /** The NodeNames of the last filter answer written, copied from in runs the same way. */
  private lastPassed: KeptNames | null = null;

  /** `lists`, when given, remembers each NodeNames list written, so prioritize's echo of it is read fast. */
  constructor(private readonly index: NodeNameIndex, private readonly lists?: NodeNamesReader) {}

  /** The ExtenderFilterResult JSON of `answer`. */
  filter(answer: NamesFilterAnswer): Buffer {
    if (answer.error !== '') return Buffer.from(JSON.stringify(toFilterResult(answer)));
    const list = answer.candidates.list;
    const kept = list === undefined ? undefined : this.filters.get(list);
    const same = kept?.find((k) => sameOutcomes(k, answer));
    if (same !== undefined) {
      if (this.lists !== undefined && answer.passed > 0) this.rememberPassed(answer, same.bytes.subarray(FILTER_OPEN.length, FILTER_OPEN.length + passedLength(same.bytes)));
      return same.bytes;
    }
    const bytes = this.writeFilter(answer);
    if (list !== undefined) {
      const entry: KeptFilter = { outcome: answer.outcome.slice(), reasons: answer.reasons.slice(), bytes };
      this.filters.set(list, [entry, ...(kept ?? [])].slice(0, ANSWERS_PER_LIST));
    }
    return bytes;
  }

  private writeFilter(answer: NamesFilterAnswer): Buffer {
    const { candidates, outcome, reasons } = answer;
    const count = candidates.count;
    const names = new NameJson(this.index, candidates);
    const why: (Uint8Array | undefined)[] = new Array(count);
    let size = FILTER_OPEN.length + FAILED_OPEN.length + UNRESOLVABLE_OPEN.length + FILTER_CLOSE.length;
    for (let i = 0; i < count; i += 1) {
      const code = outcome[i];
      if (code === REPEATED) continue;
      size += names.length(i) + 1;
      if (code !== PASS) {
        const reason = this.reason(reasons[i] ?? '');
        why[i] = reason;
        size += reason.length + 1;
      }
    }
    const out = Buffer.allocUnsafe(size);
    let at = put(FILTER_OPEN, out, 0);
    const listStart = at;
    at = this.passedMembers(answer, names, out, at);
    if (this.lists !== undefined && answer.passed > 0) this.rememberPassed(answer, out.subarray(listStart, at));
    at = put(FAILED_OPEN, out, at);
    at = this.members(answer, names, why, UNSCHEDULABLE, out, at);
    at = put(UNRESOLVABLE_OPEN, out, at);
    at = this.members(answer, names, why, -1, out, at);
    at = put(FILTER_CLOSE, out, at);
    return out.subarray(0, at);
  }

  /**
   * The HostPriorityList JSON of `scores` (0..10, aligned with `candidates`). Consecutive candidates that were
   * consecutive in the last list written are copied from it as one block (a bind changes a node or two, and
   * every list is in the order of kube-scheduler's node list), with scores patched where they differ; the
   * rest is written entry by entry. The same list with the same scores is the last answer itself.
   */
  priorities(candidates: NameCandidates, scores: Uint8Array): Buffer {
    const base = this.lastPriorities;
    if (base !== null && candidates.list !== undefined && candidates.list === base.list && equalBytes(base.scores, scores)) return base.bytes;
    const count = candidates.count;
    const ids = candidates.ids;
    const names = new NameJson(this.index, candidates);
    let size = 2 + Math.max(0, count - 1);
    for (let i = 0; i < count; i += 1) size += names.length(i) + ENTRY_FIXED;
    const out = Buffer.allocUnsafe(size);
    const start = new Int32Array(count);
    const at = new Int32Array(count);
    const position = base === null ? null : positions(base, this.index.size);
    out[0] = 0x5b; // [
    let w = 1;
    let i = 0;
    while (i < count) {
      if (i > 0) out[w++] = COMMA;
      const id = ids[i] as number;
      const j = position === null || id < 0 || id >= position.length ? -1 : (position[id] as number);
      if (j < 0 || base === null) {
        start[i] = w;
        w = put(HOST_OPEN, out, w);
        w = names.write(i, out, w);
        w = put(SCORE_OPEN, out, w);
        at[i] = w;
        w = put(SCORE_TEXT[Math.min(10, scores[i] as number)] as Uint8Array, out, w);
        out[w++] = CLOSE_BRACE;
        i += 1;
        continue;
      }
      let run = 1;
      while (i + run < count && j + run < base.ids.length && (ids[i + run] as number) >= 0 && ids[i + run] === base.ids[j + run]) run += 1;
      const from = base.start[j] as number;
      const to = (base.at[j + run - 1] as number) + 3;
      base.bytes.copy(out, w, from, to);
      for (let k = 0; k < run; k += 1) {
        start[i + k] = w + (base.start[j + k] as number) - from;
        const scoreAt = w + (base.at[j + k] as number) - from;
        at[i + k] = scoreAt;
        const score = scores[i + k] as number;
        if (base.scores[j + k] !== score) put(SCORE_TEXT[Math.min(10, score)] as Uint8Array, out, scoreAt);
      }
      w += to - from;
      i += run;
    }
    out[w++] = 0x5d; // ]
    const kept: KeptPriorities = { list: candidates.list, ids: ids.slice(), scores: scores.slice(), start, at, bytes: out.subarray(0, w), position: null };
    this.lastPriorities = kept;
    return kept.bytes;
  }

  /**
   * Writes the NodeNames members (the passed candidates), copying runs of consecutive names from the last
   * filter answer's NodeNames, and keeps them as the base of the next answer.
   */
  private passedMembers(answer: NamesFilterAnswer, names: NameJson, out: Buffer, at: number): number {
    const { candidates, outcome } = answer;
    const ids = new Int32Array(answer.passed);
    const index = new Int32Array(answer.passed);
    let n = 0;
    for (let i = 0; i < candidates.count; i += 1) {
      if (outcome[i] !== PASS) continue;
      ids[n] = candidates.ids[i] as number;
      index[n] = i;
      n += 1;
    }
    const base = this.lastPassed;
    const position = base === null ? null : positions(base, this.index.size);
    const start = new Int32Array(n);
    const end = new Int32Array(n);
    const first = at;
    let k = 0;
    while (k < n) {
      if (k > 0) out[at++] = COMMA;
      const id = ids[k] as number;
      const j = position === null || id < 0 || id >= position.length ? -1 : (position[id] as number);
      if (j < 0 || base === null) {
        start[k] = at;
        at = names.write(index[k] as number, out, at);
        end[k] = at;
        k += 1;
        continue;
      }
      let run = 1;
      while (k + run < n && j + run < base.ids.length && (ids[k + run] as number) >= 0 && ids[k + run] === base.ids[j + run]) run += 1;
      const from = base.start[j] as number;
      const to = base.end[j + run - 1] as number;
      base.bytes.copy(out, at, from, to);
      for (let r = 0; r < run; r += 1) {
        start[k + r] = at + (base.start[j + r] as number) - from;
        end[k + r] = at + (base.end[j + r] as number) - from;
      }
      at += to - from;
      k += run;
    }
    const bytes = out.subarray(first, at);
    for (let r = 0; r < n; r += 1) {
      start[r] = (start[r] as number) - first;
      end[r] = (end[r] as number) - first;
    }
    this.lastPassed = { ids, start, end, bytes, position: null };
    return at;
  }

  /** Writes the members of one list or object: PASS -> names, UNSCHEDULABLE -> name:reason, -1 -> the rest. */
  private members(answer: NamesFilterAnswer, names: NameJson, why: readonly (Uint8Array | undefined)[], want: number, out: Buffer, at: number): number {
    const { outcome } = answer;
    let first = true;
    for (let i = 0; i < answer.candidates.count; i += 1) {
      const code = outcome[i] as number;
      if (code === REPEATED) continue;
      if (want === -1 ? code === PASS || code === UNSCHEDULABLE : code !== want) continue;
      if (!first) out[at++] = COMMA;
      first = false;
      at = names.write(i, out, at);
      if (want !== PASS) {
        out[at++] = COLON;
        at = put(why[i] as Uint8Array, out, at);
      }
    }
    return at;
  }

  /** Hands the NodeNames just written, with their ids, to the list reader (passed names are all indexed). */
  private rememberPassed(answer: NamesFilterAnswer, bytes: Uint8Array): void {
    const ids = new Int32Array(answer.passed);
    let n = 0;
    for (let i = 0; i < answer.candidates.count; i += 1) {
      if (answer.outcome[i] !== PASS) continue;
      const id = answer.candidates.ids[i] as number;
      if (id < 0) return;
      ids[n++] = id;
    }
    this.lists?.remember(bytes, ids);
  }

  /** The JSON bytes of a reason (kept: reasons repeat across nodes and requests). */
  private reason(text: string): Uint8Array {
    let bytes = this.reasons.get(text);
    if (bytes === undefined) {
      if (this.reasons.size >= MAX_REASONS) this.reasons.clear();
      bytes = new TextEncoder().encode(JSON.stringify(text));
      this.reasons.set(text, bytes);
    }
    return bytes;
  }
}

/**
 * Each candidate's name as JSON bytes: names the index knows are copied from its JSON text, others are
 * encoded here once per request (`from[i]` < 0 points into `extra`).
 */
class NameJson {
  private readonly bytes: Uint8Array;
  private readonly from: Int32Array;
  private readonly size: Int32Array;
  private readonly extra: Uint8Array;

  constructor(index: NodeNameIndex, candidates: NameCandidates) {
    const text = index.jsonText();
    const ids = candidates.ids;
    const count = candidates.count;
    this.bytes = text.bytes;
    this.from = new Int32Array(count);
    this.size = new Int32Array(count);
    const others: Uint8Array[] = [];
    let extraLength = 0;
    for (let i = 0; i < count; i += 1) {
      const id = ids[i] as number;
      if (id >= 0) {
        this.from[i] = text.start[id] as number;
        this.size[i] = text.length[id] as number;
      } else {
        const json = new TextEncoder().encode(JSON.stringify(candidates.name(i)));
        others.push(json);
        this.from[i] = -(extraLength + 1);
        this.size[i] = json.length;
        extraLength += json.length;
      }
    }
    this.extra = new Uint8Array(extraLength);
    let at = 0;
    for (const json of others) {
      this.extra.set(json, at);
      at += json.length;
    }
  }

  length(i: number): number {
    return this.size[i] as number;
  }

  write(i: number, out: Uint8Array, at: number): number {
    const from = this.from[i] as number;
    const length = this.size[i] as number;
    if (from >= 0) {
      const bytes = this.bytes;
      for (let k = 0; k < length; k += 1) out[at + k] = bytes[from + k] as number;
    } else {
      const extra = this.extra;
      const e = -from - 1;
      for (let k = 0; k < length; k += 1) out[at + k] = extra[e + k] as number;
    }
    return at + length;
  }
}

/** The first entry of each node id in a kept list (ids below `size`), built once. */
function positions(kept: { readonly ids: Int32Array; position: Int32Array | null }, size: number): Int32Array {
  if (kept.position !== null && kept.position.length >= size) return kept.position;
  const position = new Int32Array(size).fill(-1);
  for (let j = 0; j < kept.ids.length; j += 1) {
    const id = kept.ids[j] as number;
    if (id >= 0 && id < size && position[id] === -1) position[id] = j;
  }
  kept.position = position;
  return position;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `answer` has exactly the outcomes and reasons of `kept` (so the same bytes). */
function sameOutcomes(kept: KeptFilter, answer: NamesFilterAnswer): boolean {
  const { outcome, reasons } = answer;
  if (kept.outcome.length !== outcome.length) return false;
  for (let i = 0; i < outcome.length; i += 1) {
    const code = outcome[i];
    if (kept.outcome[i] !== code) return false;
    if (code !== PASS && kept.reasons[i] !== reasons[i]) return false;
  }
  return true;
}

/** Length of the NodeNames members in a filter answer written by this writer (up to the `]`). */
function passedLength(bytes: Buffer): number {
  return bytes.indexOf(FAILED_OPEN, FILTER_OPEN.length) - FILTER_OPEN.length;
}

function put(bytes: Uint8Array, out: Uint8Array, at: number): number {
  for (let k = 0; k < bytes.length; k += 1) out[at + k] = bytes[k] as number;
  return at + bytes.length;
}
