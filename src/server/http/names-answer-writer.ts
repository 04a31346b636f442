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
 * Scores are written two characters wide (` 7`, `10`: JSON allows the space), so an entry copied from an
 * earlier answer is patched in place when its score changed.
 */
const SCORE_TEXT = Array.from({ length: 11 }, (_, i) => ascii(i < 10 ? ` ${i}` : `${i}`));
/** Bytes of a priority entry besides the name: `{"Host":`, `,"Score":`, two score characters and `}`. */
const ENTRY_FIXED = HOST_OPEN.length + SCORE_OPEN.length + 2 + 1;
const COMMA = 0x2c;
const COLON = 0x3a;
const CLOSE_BRACE = 0x7d;
/** Distinct rejection reasons whose JSON bytes are kept. */
const MAX_REASONS = 10_000;
/** Filter answers kept per name list (pods of different shapes over the same candidates). */
const ANSWERS_PER_LIST = 4;

/** A filter answer written for a name list, reusable while every outcome and reason is the same. */
interface KeptFilter {
  readonly outcome: Uint8Array;
  /** The reasons of the failed candidates (outcome neither PASS nor REPEATED), in candidate order. */
  readonly failedReasons: readonly string[];
  readonly bytes: Buffer;
  /** Where the NodeNames members end in `bytes`. */
  readonly passedEnd: number;
  /** Node ids of the NodeNames members, in order. */
  readonly passedIds: Int32Array;
  /** Every NodeNames member has an id (so the list reader can take it). */
  readonly allIndexed: boolean;
}

/**
 * Writes names-only answers as UTF-8 JSON by copying bytes: each node name's JSON text comes from the
 * NodeNameIndex, each rejection reason's from a small cache. Lists are long and change little between calls
 * (a bind changes a node or two, and every list follows kube-scheduler's node order), so the NodeNames of a
 * filter answer and the entries of a priority list copy every run of consecutive entries that were
 * consecutive in the last list of their kind as one block (RunSource), patching scores; only the rest is
 * written entry by entry. NodeNames are written in the index's order, not the request's (see inIndexOrder). A filter answer whose outcomes all equal one kept for the same name list
 * (NameCandidates.list) is that answer's bytes. Sent buffers are never written again. The bytes parse to
 * exactly the wire object (`toFilterResult`; a HostPriorityList in request order).
 */
export class NamesAnswerWriter {
  private readonly reasons = new Map<string, Uint8Array>();
  private readonly filters = new WeakMap<object, KeptFilter[]>();
  private readonly passedRuns = new RunSource();
  /** Working arrays of one filter answer, reused (typed arrays live outside the heap and their churn costs GC). */
  private readonly scratch = new Scratch();
  private readonly priorityRuns = new RunSource();
  private lastPriorities: { readonly list: object | undefined; readonly scores: Uint8Array; readonly bytes: Buffer } | null = null;

  /** `lists`, when given, remembers each NodeNames list written, so prioritize's echo of it is read fast. */
  constructor(private readonly index: NodeNameIndex, private readonly lists?: NodeNamesReader) {}

  /** The ExtenderFilterResult JSON of `answer`. */
  filter(answer: NamesFilterAnswer): Buffer {
    if (answer.error !== '') return Buffer.from(JSON.stringify(toFilterResult(answer)));
    const list = answer.candidates.list;
    const kept = list === undefined ? undefined : this.filters.get(list);
    let entry = kept?.find((k) => sameOutcomes(k, answer));
    if (entry === undefined) {
      entry = this.writeFilter(answer);
      if (list !== undefined) this.filters.set(list, [entry, ...(kept ?? [])].slice(0, ANSWERS_PER_LIST));
    }
    if (this.lists !== undefined && entry.passedIds.length > 0 && entry.allIndexed) {
      this.lists.remember(entry.bytes.subarray(FILTER_OPEN.length, entry.passedEnd), entry.passedIds);
    }
    return entry.bytes;
  }

  /**
   * The HostPriorityList JSON of `scores` (0..10, aligned with `candidates`). The same list with the same scores
   * as last time is the last answer itself.
   */
  priorities(candidates: NameCandidates, scores: Uint8Array): Buffer {
    const last = this.lastPriorities;
    if (last !== null && candidates.list !== undefined && candidates.list === last.list && equalBytes(last.scores, scores)) return last.bytes;
    const count = candidates.count;
    const ids = candidates.ids;
    const names = new NameText(this.index, candidates);
    let size = 2 + Math.max(0, count - 1);
    for (let i = 0; i < count; i += 1) size += names.length(i) + ENTRY_FIXED;
    const out = Buffer.allocUnsafe(size);
    out[0] = 0x5b; // [
    const runs = this.priorityRuns.begin(count, this.index.size);
    let w = 1;
    let i = 0;
    while (i < count) {
      if (i > 0) out[w++] = COMMA;
      const copied = runs.copy(ids, i, count, out, w);
      if (copied > 0) {
        // Patch the scores of the copied entries (each ends with its two score characters and `}`).
        for (let k = 0; k < copied; k += 1) {
          const text = SCORE_TEXT[Math.min(10, scores[i + k] as number)] as Uint8Array;
          const end = runs.endOf(i + k);
          out[end - 3] = text[0] as number;
          out[end - 2] = text[1] as number;
        }
        w = runs.endOf(i + copied - 1);
        i += copied;
        continue;
      }
      const start = w;
      w = put(HOST_OPEN, out, w);
      w = names.write(i, out, w);
      w = put(SCORE_OPEN, out, w);
      w = put(SCORE_TEXT[Math.min(10, scores[i] as number)] as Uint8Array, out, w);
      out[w++] = CLOSE_BRACE;
      runs.wrote(ids[i] as number, i, start, w);
      i += 1;
    }
    out[w++] = 0x5d; // ]
    const bytes = out.subarray(0, w);
    runs.end(bytes);
    this.lastPriorities = { list: candidates.list, scores: scores.slice(), bytes };
    return bytes;
  }

  private writeFilter(answer: NamesFilterAnswer): KeptFilter {
    const { candidates, outcome, reasons } = answer;
    const count = candidates.count;
    const ids = candidates.ids;
    const names = new NameText(this.index, candidates);
    // One pass: which candidates go where, and the exact size.
    const passedAt = this.scratch.passedAt(answer.passed);
    const failed: Failure[] = [];
    const unresolvable: Failure[] = [];
    const failedReasons: string[] = [];
    let passed = 0;
    let size = FILTER_OPEN.length + FAILED_OPEN.length + UNRESOLVABLE_OPEN.length + FILTER_CLOSE.length;
    for (let i = 0; i < count; i += 1) {
      const code = outcome[i];
      if (code === REPEATED) continue;
      size += names.length(i) + 1;
      if (code === PASS) {
        passedAt[passed++] = i;
        continue;
      }
      failedReasons.push(reasons[i] ?? '');
      const reason = this.reason(reasons[i] ?? '');
      size += reason.length + 1;
      (code === UNSCHEDULABLE ? failed : unresolvable).push({ at: i, reason });
    }
    inIndexOrder(passedAt, ids, this.index.size, this.scratch);
    const out = Buffer.allocUnsafe(size);
    let w = put(FILTER_OPEN, out, 0);
    // NodeNames: runs copied from the last answer's NodeNames, the rest written name by name.
    const passedIds = new Int32Array(passed);
    let allIndexed = true;
    for (let k = 0; k < passed; k += 1) {
      const id = ids[passedAt[k] as number] as number;
      passedIds[k] = id;
      if (id < 0) allIndexed = false;
    }
    const runs = this.passedRuns.begin(passed, this.index.size);
    let k = 0;
    while (k < passed) {
      if (k > 0) out[w++] = COMMA;
      const copied = runs.copy(passedIds, k, passed, out, w);
      if (copied > 0) {
        w = runs.endOf(k + copied - 1);
        k += copied;
        continue;
      }
      const start = w;
      w = names.write(passedAt[k] as number, out, w);
      runs.wrote(passedIds[k] as number, k, start, w);
      k += 1;
    }
    const passedEnd = w;
    runs.end(out);
    w = put(FAILED_OPEN, out, w);
    w = writeFailures(failed, names, out, w);
    w = put(UNRESOLVABLE_OPEN, out, w);
    w = writeFailures(unresolvable, names, out, w);
    w = put(FILTER_CLOSE, out, w);
    return { outcome: outcome.slice(), failedReasons, bytes: out.subarray(0, w), passedEnd, passedIds, allIndexed };
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
 * The entries of the last list of one kind written (node id, byte range), found by node id in O(1), so the next
 * list copies each run of consecutive entries as one block. Positions are kept in two stamped arrays by node
 * id, one for the list being read from and one for the list being written, swapped at `end`: no per-list fill.
 */
class RunSource {
  private bytes: Buffer | null = null;
  /** The readable list: `length` entries of ids and byte ranges (arrays reused, so longer than that). */
  private length = 0;
  private ids = new Int32Array(0);
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  private position = [new Int32Array(0), new Int32Array(0)];
  private stamp = [new Uint32Array(0), new Uint32Array(0)];
  private serial = [0, 0];
  /** Which of the two position arrays holds the readable list. */
  private current = 0;
  /** The list being written (the other set of arrays, swapped with the readable one at `end`). */
  private nextLength = 0;
  private nextIds = new Int32Array(0);
  private nextStarts = new Int32Array(0);
  private nextEnds = new Int32Array(0);

  /** Starts writing a list of `count` entries over node ids below `idCount`. */
  begin(count: number, idCount: number): this {
    for (const k of [0, 1]) {
      if ((this.position[k] as Int32Array).length < idCount) {
        const size = Math.max(idCount * 2, 1024);
        this.position[k] = new Int32Array(size);
        this.stamp[k] = new Uint32Array(size);
        if (k === this.current) this.bytes = null; // the readable list's positions are gone
      }
    }
    const writing = this.current ^ 1;
    this.serial[writing] = (this.serial[writing] as number) + 2; // never equal to a stale stamp (starts at 0)
    if (this.nextIds.length < count) {
      const size = Math.max(count * 2, 1024);
      this.nextIds = new Int32Array(size);
      this.nextStarts = new Int32Array(size);
      this.nextEnds = new Int32Array(size);
    }
    this.nextLength = count;
    return this;
  }

  /**
   * Copies the longest run of `ids[i…]` that stood consecutively in the readable list into `out` at `w`;
   * returns how many entries it copied (0: entry `i` must be written by the caller).
   */
  copy(ids: Int32Array, i: number, count: number, out: Buffer, w: number): number {
    const bytes = this.bytes;
    const id = ids[i] as number;
    if (bytes === null || id < 0) return 0;
    const reading = this.current;
    const position = this.position[reading] as Int32Array;
    if (id >= position.length || (this.stamp[reading] as Uint32Array)[id] !== this.serial[reading]) return 0;
    const j = position[id] as number;
    const from = this.ids;
    let run = 1;
    const length = this.length;
    while (i + run < count && j + run < length && (ids[i + run] as number) >= 0 && ids[i + run] === from[j + run]) run += 1;
    const starts = this.starts;
    const ends = this.ends;
    const begin = starts[j] as number;
    bytes.copy(out, w, begin, ends[j + run - 1] as number);
    const shift = w - begin;
    for (let r = 0; r < run; r += 1) this.wrote(ids[i + r] as number, i + r, (starts[j + r] as number) + shift, (ends[j + r] as number) + shift);
    return run;
  }

  /** Notes that entry `i` (node `id`) of the list being written is `out[start, end)`. */
  wrote(id: number, i: number, start: number, end: number): void {
    this.nextIds[i] = id;
    this.nextStarts[i] = start;
    this.nextEnds[i] = end;
    const writing = this.current ^ 1;
    const stamp = this.stamp[writing] as Uint32Array;
    if (id >= 0 && id < stamp.length && stamp[id] !== this.serial[writing]) {
      stamp[id] = this.serial[writing] as number;
      (this.position[writing] as Int32Array)[id] = i;
    }
  }

  /** Where entry `i` of the list being written ends. */
  endOf(i: number): number {
    return this.nextEnds[i] as number;
  }

  /** Finishes the list, written into `out` (never written again): it becomes the readable one. */
  end(out: Buffer): void {
    this.bytes = out;
    // Swap the two sets of arrays: the written list becomes readable, the old one is reused next time.
    [this.ids, this.nextIds] = [this.nextIds, this.ids];
    [this.starts, this.nextStarts] = [this.nextStarts, this.starts];
    [this.ends, this.nextEnds] = [this.nextEnds, this.ends];
    this.length = this.nextLength;
    this.current ^= 1;
  }

}

/** Each candidate's name as JSON text: from the index by id, or encoded here for names it does not know. */
class NameText {
  private readonly bytes: Uint8Array;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  private readonly ids: Int32Array;
  private readonly other = new Map<number, Uint8Array>();

  constructor(index: NodeNameIndex, private readonly candidates: NameCandidates) {
    const text = index.jsonText();
    this.bytes = text.bytes;
    this.starts = text.start;
    this.lengths = text.length;
    this.ids = candidates.ids;
  }

  length(i: number): number {
    const id = this.ids[i] as number;
    return id >= 0 ? (this.lengths[id] as number) : this.unknown(i).length;
  }

  write(i: number, out: Uint8Array, at: number): number {
    const id = this.ids[i] as number;
    if (id < 0) return put(this.unknown(i), out, at);
    const from = this.starts[id] as number;
    const length = this.lengths[id] as number;
    const bytes = this.bytes;
    for (let k = 0; k < length; k += 1) out[at + k] = bytes[from + k] as number;
    return at + length;
  }

  private unknown(i: number): Uint8Array {
    let json = this.other.get(i);
    if (json === undefined) {
      json = new TextEncoder().encode(JSON.stringify(this.candidates.name(i)));
      this.other.set(i, json);
    }
    return json;
  }
}

/**
 * Reorders `at` (positions of passed candidates) by node id, stably, so that every filter answer lists its nodes
 * in the index's order: kube-scheduler treats NodeNames as a set (it scores each node and picks the best, ties at
 * random), while its parallel filter sends the candidates in a new order every call, which would make every
 * answer, and the priority list that echoes it, look new. Leaves `at` as it is if a candidate has no id.
 */
function inIndexOrder(at: Int32Array, ids: Int32Array, idCount: number, scratch: Scratch): void {
  const start = scratch.counts(idCount + 1);
  for (let k = 0; k < at.length; k += 1) {
    const id = ids[at[k] as number] as number;
    if (id < 0 || id >= idCount) return;
    start[id + 1] = (start[id + 1] as number) + 1;
  }
  for (let id = 0; id < idCount; id += 1) start[id + 1] = (start[id + 1] as number) + (start[id] as number);
  const sorted = scratch.sorted(at.length);
  for (let k = 0; k < at.length; k += 1) {
    const id = ids[at[k] as number] as number;
    sorted[start[id] as number] = at[k] as number;
    start[id] = (start[id] as number) + 1;
  }
  at.set(sorted);
}

/** Reusable working arrays, handed out as views of the needed length (`counts` zeroed). */
class Scratch {
  private at = new Int32Array(0);
  private count = new Int32Array(0);
  private order = new Int32Array(0);

  passedAt(n: number): Int32Array {
    if (this.at.length < n) this.at = new Int32Array(Math.max(n * 2, 1024));
    return this.at.subarray(0, n);
  }

  counts(n: number): Int32Array {
    if (this.count.length < n) this.count = new Int32Array(Math.max(n * 2, 1024));
    const view = this.count.subarray(0, n);
    view.fill(0);
    return view;
  }

  sorted(n: number): Int32Array {
    if (this.order.length < n) this.order = new Int32Array(Math.max(n * 2, 1024));
    return this.order.subarray(0, n);
  }
}

/** A failed candidate and its reason's JSON bytes. */
interface Failure {
  readonly at: number;
  readonly reason: Uint8Array;
}

/** Writes `"name":"reason"` members. */
function writeFailures(failures: readonly Failure[], names: NameText, out: Buffer, w: number): number {
  for (let k = 0; k < failures.length; k += 1) {
    if (k > 0) out[w++] = COMMA;
    const f = failures[k] as Failure;
    w = names.write(f.at, out, w);
    out[w++] = COLON;
    w = put(f.reason, out, w);
  }
  return w;
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
  let k = 0;
  for (let i = 0; i < outcome.length; i += 1) {
    const code = outcome[i];
    if (kept.outcome[i] !== code) return false;
    if (code === PASS || code === REPEATED) continue;
    if (kept.failedReasons[k] !== (reasons[i] ?? '')) return false;
    k += 1;
  }
  return true;
}

function put(bytes: Uint8Array, out: Uint8Array, at: number): number {
  for (let k = 0; k < bytes.length; k += 1) out[at + k] = bytes[k] as number;
  return at + bytes.length;
}
