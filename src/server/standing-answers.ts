import { shapeKey, type CycleState } from '../algorithm/cycle-state.js';
import { evaluateNode } from '../algorithm/evaluate-node.js';
import { nodeRank } from '../algorithm/node-rank.js';
import type { NodeState } from '../algorithm/node-state.js';
import type { SchedulingOptions } from '../algorithm/scheduling-options.js';
import type { GpuRequest } from '../model/gpu-request.js';

/** Outcome codes of a standing answer (Uint8Array values). */
export const STALE = 0;
export const PASS = 1;
export const UNSCHEDULABLE = 2;
export const UNRESOLVABLE = 3;

/** Request shapes whose answers are kept (least recently used dropped first). */
const DEFAULT_MAX_TABLES = 64;

/** What a StandingAnswers needs from the cluster cache. */
export interface ChangeFeed {
  /** Nodes changed after the snapshot of `version`, or null when that is no longer known. */
  changedSince(version: number): readonly string[] | null;
}

/**
 * Per node id, for one request shape: the filter outcome, its reason and the node rank (node-rank.ts; the 0..10
 * extender scores are relative to each request's candidates, so prioritize derives them per request).
 */
export class AnswerTable {
  code = new Uint8Array(0);
  rank = new Float64Array(0);
  reason: (string | undefined)[] = [];
  /** Cache version the table is current for. */
  version = -1;
  /** Cycle-wide inputs of the scores (see StandingAnswers.tableFor). */
  priceMin = NaN;
  priceMax = NaN;
  groupNodes: ReadonlyMap<string, readonly string[]> | null = null;
  /** The cycle's product pressure (packing values; one object per fleet capacity), or null. */
  pressure: ReadonlyMap<string, number> | null = null;
  /** The options the outcomes were judged with (a new object whenever the learned workload is re-published). */
  options: SchedulingOptions | null = null;

  /**
   * The outcome for node `id` (whose current state is `state`), judged now when stale and kept until the
   * node changes.
   */
  judge(id: number, state: NodeState, cycle: CycleState): number {
    const e = evaluateNode(state, cycle);
    const status = e.status;
    let code: number;
    if (status.code === 'success') {
      code = PASS;
      this.rank[id] = nodeRank(state, cycle, e);
      this.reason[id] = undefined;
    } else {
      code = status.code === 'unschedulable' ? UNSCHEDULABLE : UNRESOLVABLE;
      this.rank[id] = NaN;
      this.reason[id] = status.reason;
    }
    this.code[id] = code;
    return code;
  }

  /** Makes room for ids below `size` (new ids start stale). */
  fit(size: number): void {
    if (size <= this.code.length) return;
    const n = Math.max(size, this.code.length * 2, 1024);
    const code = new Uint8Array(n);
    code.set(this.code);
    const rank = new Float64Array(n);
    rank.set(this.rank);
    // Dense: writing id 4,000 into a short array would turn it into a slow dictionary.
    const reason = new Array<string | undefined>(n).fill(undefined);
    for (let i = 0; i < this.reason.length; i += 1) reason[i] = this.reason[i];
    this.code = code;
    this.rank = rank;
    this.reason = reason;
  }

  /** Every node stale. */
  reset(): void {
    this.code.fill(STALE);
  }
}

/**
 * Filter outcomes and scores per request shape and node, kept current with the cluster cache's change journal,
 * so a filter or prioritize call costs a read per candidate plus a fresh evaluation of only the nodes that
 * changed since the last call of that shape (a bind or a delete changes one node; 5,000 nodes are not
 * re-judged for it). An outcome is a pure function of the request shape, the options, the node's state and two
 * cycle-wide inputs (and the options, which change when the learned workload is re-published), the fleet's price range (cost part), the product pressure of the packing values (one object
 * per fleet GPU capacity) and, for pods of a job group, where the group runs (group-locality part); a table is
 * reset when any differs from what it was computed with.
 */
export class StandingAnswers {
  private readonly tables = new Map<string, AnswerTable>();
  /** Table key per parsed request (filter and prioritize of one pod share the request object). */
  private readonly keys = new WeakMap<GpuRequest, string>();

  constructor(private readonly feed: ChangeFeed, private readonly maxTables = DEFAULT_MAX_TABLES) {}

  /**
   * The table for `cycle`'s request shape (and job group), brought up to date for the cache at `version`
   * (the version of `cycle.snapshot`), with room for ids below `ids`. `idOf` maps a changed node's name to its id.
   */
  tableFor(cycle: CycleState, version: number, ids: number, idOf: (name: string) => number): AnswerTable {
    const req = cycle.req;
    let key = this.keys.get(req);
    if (key === undefined) {
      key = req.group === null ? shapeKey(req) : `${shapeKey(req)}\u0000${req.group}`;
      this.keys.set(req, key);
    }
    let table = this.tables.get(key);
    if (table === undefined) {
      table = new AnswerTable();
      if (this.tables.size >= this.maxTables) this.tables.delete(this.tables.keys().next().value as string);
    } else {
      this.tables.delete(key);
    }
    this.tables.set(key, table);
    table.fit(ids);
    const range = cycle.priceRange;
    const priceMin = range === null ? NaN : range.min;
    const priceMax = range === null ? NaN : range.max;
    const groupNodes = req.group === null ? null : cycle.snapshot.groupNodes;
    const sameInputs = Object.is(table.priceMin, priceMin) && Object.is(table.priceMax, priceMax) && table.groupNodes === groupNodes
      && table.pressure === cycle.pressure && table.options === cycle.options;
    if (table.version === version && sameInputs) return table;
    const changed = table.version < 0 || !sameInputs ? null : this.feed.changedSince(table.version);
    if (changed === null) {
      table.reset();
    } else {
      for (const name of changed) {
        const id = idOf(name);
        if (id >= 0 && id < table.code.length) table.code[id] = STALE;
      }
    }
    table.version = version;
    table.priceMin = priceMin;
    table.priceMax = priceMax;
    table.groupNodes = groupNodes;
    table.pressure = cycle.pressure;
    table.options = cycle.options;
    return table;
  }
}

