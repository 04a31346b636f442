import { describe, expect, it } from 'vitest';
import { prefilter } from '../algorithm/cycle-state.js';
import { EvaluationMemo } from '../algorithm/evaluation-memo.js';
import { makeNodeState } from '../algorithm/node-state.js';
import { DEFAULT_SCHEDULING_OPTIONS } from '../algorithm/scheduling-options.js';
import { makeSnapshot } from '../algorithm/snapshot.js';
import { node, request } from '../algorithm/test-fixtures.js';
import { PASS, STALE, StandingAnswers, type ChangeFeed } from './standing-answers.js';

const states = ['a', 'b', 'c'].map((name) => makeNodeState(node(name, { count: 4, hourlyPrice: 10 })));
const snapshot = makeSnapshot(states);
const one = prefilter(request({ kind: 'whole', gpus: 1 }), snapshot, DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS));
const two = prefilter(request({ kind: 'whole', gpus: 2 }), snapshot, DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS));
const idOf = (name: string): number => ['a', 'b', 'c'].indexOf(name);

/** A change feed answering from a script: version -> changed names (or null: too far back). */
function feed(changes: Map<number, string[] | null>): ChangeFeed {
  return { changedSince: (version) => (changes.has(version) ? (changes.get(version) as string[] | null) : []) };
}

function judgeAll(standing: StandingAnswers, version: number): Uint8Array {
  const table = standing.tableFor(one, version, 3, idOf);
  states.forEach((s, id) => {
    if (table.code[id] === STALE) table.judge(id, s, one);
  });
  return table.code;
}

describe('StandingAnswers', () => {
  it('keeps answers while the version holds, and makes stale only the nodes the journal names', () => {
    const standing = new StandingAnswers(feed(new Map([[1, ['b']]])));
    expect([...judgeAll(standing, 1).subarray(0, 3)]).toEqual([PASS, PASS, PASS]);
    expect([...standing.tableFor(one, 1, 3, idOf).code.subarray(0, 3)]).toEqual([PASS, PASS, PASS]);
    expect([...standing.tableFor(one, 2, 3, idOf).code.subarray(0, 3)]).toEqual([PASS, STALE, PASS]);
  });

  it('makes every node stale when the journal no longer reaches back, or the price range changed', () => {
    const standing = new StandingAnswers(feed(new Map([[1, null]])));
    judgeAll(standing, 1);
    expect([...standing.tableFor(one, 2, 3, idOf).code.subarray(0, 3)]).toEqual([STALE, STALE, STALE]);
    judgeAll(standing, 2);
    const pricier = prefilter(one.req, makeSnapshot([...states, makeNodeState(node('d', { count: 4, hourlyPrice: 99 }))]), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS));
    expect([...standing.tableFor(pricier, 2, 3, idOf).code.subarray(0, 3)]).toEqual([STALE, STALE, STALE]);
  });

  it('makes every node stale when the product pressure of the packing values changed', () => {
    const opts = { ...DEFAULT_SCHEDULING_OPTIONS, targetWorkload: [...DEFAULT_SCHEDULING_OPTIONS.targetWorkload, { ...DEFAULT_SCHEDULING_OPTIONS.targetWorkload[0]!, models: ['L40S'] }] };
    const mixed = (extra: number) => makeSnapshot([...states, ...Array.from({ length: extra }, (_, i) => makeNodeState(node(`l${i}`, { count: 4, product: 'L40S' })))]);
    const before = prefilter(one.req, mixed(1), opts, new EvaluationMemo(opts));
    const after = prefilter(one.req, mixed(2), opts, new EvaluationMemo(opts));
    expect(before.pressure).not.toBeNull();
    expect(after.pressure).not.toBe(before.pressure);
    const standing = new StandingAnswers(feed(new Map()));
    const table = standing.tableFor(before, 1, 3, idOf);
    states.forEach((s, id) => { if (table.code[id] === STALE) table.judge(id, s, before); });
    expect(standing.tableFor(before, 1, 3, idOf).code[0]).not.toBe(STALE);
    expect([...standing.tableFor(after, 1, 3, idOf).code.subarray(0, 3)]).toEqual([STALE, STALE, STALE]);
  });

  it('keeps one table per request shape, at most maxTables, dropping the least recently used', () => {
    const standing = new StandingAnswers(feed(new Map()), 1);
    judgeAll(standing, 1);
    expect(standing.tableFor(two, 1, 3, idOf).code[0]).toBe(STALE);
    expect(standing.tableFor(one, 1, 3, idOf).code[0]).toBe(STALE);
  });
});
