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

/** A priority list written for a name list; `at[i]` is where candidate i's two score characters are. */
interface KeptPriorities {
  readonly scores: Uint8Array;
  readonly at: Int32Array;
  readonly bytes: Buffer;
}

/**
 * Writes names-only answers as UTF-8 JSON by copying bytes: each node name's JSON text comes from the
 * NodeNameIndex, each rejection reason's from a small cache, so a 5,000-node answer is a few hundred
 * microseconds of copying instead of building and stringifying 5,000 objects. Answers are also kept per name
 * list (NameCandidates.list): a filter answer whose outcomes all equal a kept one is that answer's bytes, and a
 * priority list is a kept one with the changed scores patched (a bind changes one node, not 5,000). Sent
 * buffers are never written again. The bytes parse to exactly the wire object (`toFilterResult`; a
 * HostPriorityList in request order).
 */
export class NamesAnswerWriter {
  private readonly reasons = new Map<string, Uint8Array>();
  private readonly filters = new WeakMap<object, KeptFilter[]>();
  private readonly priorityLists = new WeakMap<object, KeptPriorities[]>();

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
    at = this.members(answer, names, why, PASS, out, at);
    if (this.lists !== undefined && answer.passed > 0) this.rememberPassed(answer, out.subarray(listStart, at));
    at = put(FAILED_OPEN, out, at);
    at = this.members(answer, names, why, UNSCHEDULABLE, out, at);
    at = put(UNRESOLVABLE_OPEN, out, at);
    at = this.members(answer, names, why, -1, out, at);
    at = put(FILTER_CLOSE, out, at);
    return out.subarray(0, at);
  }

  /** The HostPriorityList JSON of `scores` (0..10, aligned with `candidates`). */
  priorities(candidates: NameCandidates, scores: Uint8Array): Buffer {
    const list = candidates.list;
    const kept = list === undefined ? [] : (this.priorityLists.get(list) ?? []);
    // The kept answer with the fewest differing scores, patched in a copy (sent buffers stay as they were).
    let best: KeptPriorities | undefined;
    let bestDiff = Infinity;
    for (const k of kept) {
      if (k.scores.length !== scores.length) continue;
      let diff = 0;
      for (let i = 0; i < scores.length && diff < bestDiff; i += 1) if (k.scores[i] !== scores[i]) diff += 1;
      if (diff < bestDiff) {
        best = k;
        bestDiff = diff;
      }
    }
    let entry: KeptPriorities;
    if (best !== undefined && bestDiff === 0) return best.bytes;
    if (best !== undefined && bestDiff <= scores.length >> 3) {
      const bytes = Buffer.from(best.bytes);
      for (let i = 0; i < scores.length; i += 1) {
        if (best.scores[i] !== scores[i]) put(SCORE_TEXT[Math.min(10, scores[i] as number)] as Uint8Array, bytes, best.at[i] as number);
      }
      entry = { scores: scores.slice(), at: best.at, bytes };
    } else {
      entry = this.writePriorities(candidates, scores);
    }
    if (list !== undefined) this.priorityLists.set(list, [entry, ...kept.filter((k) => k !== best)].slice(0, ANSWERS_PER_LIST));
    return entry.bytes;
  }

  private writePriorities(candidates: NameCandidates, scores: Uint8Array): KeptPriorities {
    const count = candidates.count;
    const names = new NameJson(this.index, candidates);
    let size = 2;
    for (let i = 0; i < count; i += 1) size += HOST_OPEN.length + names.length(i) + SCORE_OPEN.length + 2 + 2;
    const out = Buffer.allocUnsafe(size);
    const at = new Int32Array(count);
    out[0] = 0x5b; // [
    let w = 1;
    for (let i = 0; i < count; i += 1) {
      if (i > 0) out[w++] = COMMA;
      w = put(HOST_OPEN, out, w);
      w = names.write(i, out, w);
      w = put(SCORE_OPEN, out, w);
      at[i] = w;
      w = put(SCORE_TEXT[Math.min(10, scores[i] as number)] as Uint8Array, out, w);
      out[w++] = CLOSE_BRACE;
    }
    out[w++] = 0x5d; // ]
    return { scores: scores.slice(), at, bytes: out.subarray(0, w) };
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
