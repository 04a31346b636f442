import { describe, expect, it } from 'vitest';
import { prefilter } from './cycle-state.js';
import { evaluateNode } from './evaluate-node.js';
import { EvaluationMemo } from './evaluation-memo.js';
import { makeNodeState } from './node-state.js';
import { DEFAULT_SCHEDULING_OPTIONS, type SchedulingOptions } from './scheduling-options.js';
import { makeSnapshot } from './snapshot.js';
import { node, request } from './test-fixtures.js';

const state = makeNodeState(node('a', { count: 8 }));
const snapshot = makeSnapshot([state]);

describe('EvaluationMemo', () => {
  it('carries a node evaluation from one cycle to the next for the same request shape, and only then', () => {
    const memo = new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS);
    const first = evaluateNode(state, prefilter(request({ kind: 'whole', gpus: 2 }), snapshot, DEFAULT_SCHEDULING_OPTIONS, memo));
    expect(evaluateNode(state, prefilter(request({ kind: 'whole', gpus: 2 }), snapshot, DEFAULT_SCHEDULING_OPTIONS, memo))).toBe(first);
    expect(evaluateNode(state, prefilter(request({ kind: 'whole', gpus: 4 }), snapshot, DEFAULT_SCHEDULING_OPTIONS, memo))).not.toBe(first);
    // A fresh memo starts empty (no hidden process-wide cache): equal result, new object.
    const fresh = evaluateNode(state, prefilter(request({ kind: 'whole', gpus: 2 }), snapshot, DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS)));
    expect(fresh).not.toBe(first);
    expect(fresh).toEqual(first);
  });

  it('refuses to serve other SchedulingOptions than it was made for', () => {
    const other: SchedulingOptions = { ...DEFAULT_SCHEDULING_OPTIONS };
    expect(() => prefilter(request(), snapshot, other, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS))).toThrow(/other SchedulingOptions/);
  });

  it('starts afresh past its bound', () => {
    const memo = new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS, 2);
    const shapes = [1, 2, 3].map((gpus) => request({ kind: 'whole', gpus }));
    for (const r of shapes) evaluateNode(state, prefilter(r, snapshot, DEFAULT_SCHEDULING_OPTIONS, memo));
    expect(memo.size).toBe(0);
    evaluateNode(state, prefilter(shapes[0]!, snapshot, DEFAULT_SCHEDULING_OPTIONS, memo));
    expect(memo.size).toBe(1);
  });
});
