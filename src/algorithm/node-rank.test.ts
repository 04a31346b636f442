import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prefilter } from './cycle-state.js';
import { evaluateNode } from './evaluate-node.js';
import { EvaluationMemo } from './evaluation-memo.js';
import { extenderScores, MAX_EXTENDER_SCORE, nodeRank, nodeTieKey } from './node-rank.js';
import { makeNodeState } from './node-state.js';
import { DEFAULT_SCHEDULING_OPTIONS } from './scheduling-options.js';
import { makeSnapshot } from './snapshot.js';
import { node, request, uniformLinks, usage } from './test-fixtures.js';

describe('extenderScores', () => {
  it('gives 10 to exactly one best-ranked candidate, the lowest tie key among equals, 0 to infeasible ones', () => {
    const out = extenderScores([NaN, 7.5, 7.5, 3, 7.25], [1, 9, 4, 2, 0], 5, new Uint8Array(5));
    expect([...out]).toEqual([0, 9, 10, 1, 9]);
  });

  it('scales the others 1..9 between the worst and the best rank', () => {
    expect([...extenderScores([0, 50, 99, 100], [0, 0, 0, 0], 4, new Uint8Array(4))]).toEqual([1, 5, 9, 10]);
    expect([...extenderScores([NaN, NaN], [0, 0], 2, new Uint8Array(2))]).toEqual([0, 0]);
  });

  it('always: one 10 when anything is feasible, feasible in 1..10, infeasible 0, order kept', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.double({ min: 0, max: 100.5, noNaN: true }), { nil: null }), { maxLength: 60 }), (raw) => {
      const ranks = raw.map((r) => (r === null ? NaN : r));
      const ties = ranks.map((_, i) => i);
      const out = extenderScores(ranks, ties, ranks.length, new Uint8Array(ranks.length));
      const feasible = ranks.map((r, i) => [r, i] as const).filter(([r]) => !Number.isNaN(r));
      expect([...out].filter((s) => s === MAX_EXTENDER_SCORE).length).toBe(feasible.length > 0 ? 1 : 0);
      for (const [r, i] of feasible) {
        expect(out[i]).toBeGreaterThanOrEqual(1);
        for (const [r2, j] of feasible) if (r > r2) expect(out[i]).toBeGreaterThanOrEqual(out[j] as number);
      }
      ranks.forEach((r, i) => { if (Number.isNaN(r)) expect(out[i]).toBe(0); });
    }), { numRuns: 300 });
  });
});

describe('nodeTieKey', () => {
  it('is a stable 32-bit FNV-1a of the name (the same as the name index hashes ASCII names with)', () => {
    expect(nodeTieKey('')).toBe(0x811c9dc5);
    expect(nodeTieKey('a')).toBe(0xe40c292c);
    expect(nodeTieKey('gpu-node-17')).toBe(nodeTieKey('gpu-node-17'));
    expect(nodeTieKey('gpu-node-17')).not.toBe(nodeTieKey('gpu-node-71'));
  });
});

describe('nodeRank', () => {
  it('orders equal integer scores by best fit: the GPU a share fills leaves the least idle room beside it', () => {
    const inv = node('n', { count: 1, links: uniformLinks(1, 'X'), memoryMiB: 0, cpuMilli: 0 });
    const pod = request({ kind: 'share', gpus: 1, memoryMiB: 40000, computeMilli: 500 });
    const half = makeNodeState({ ...inv, name: 'half' }, usage(inv, { 0: { memoryMiB: 40000, computeMilli: 500 } }));
    const empty = makeNodeState({ ...inv, name: 'empty' });
    const options = { ...DEFAULT_SCHEDULING_OPTIONS, learning: null, valueLossPenalty: 0 };
    const cycle = prefilter(pod, makeSnapshot([half, empty]), options, new EvaluationMemo(options));
    const rank = (s: typeof half): number => nodeRank(s, cycle, evaluateNode(s, cycle));
    const r = [rank(half), rank(empty)];
    for (const x of r) expect(x - Math.floor(x)).toBeLessThanOrEqual(0.5);
    expect(r[0]).toBeGreaterThan(r[1] as number);
  });
});
