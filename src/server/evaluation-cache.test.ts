import { describe, expect, it } from 'vitest';
import type { CycleState } from '../algorithm/cycle-state.js';
import { makeSnapshot } from '../algorithm/snapshot.js';
import type { GpuRequest } from '../model/gpu-request.js';
import { EvaluationCache, noFeasibleNodes, type Evaluation } from './evaluation-cache.js';

const snapshot = makeSnapshot([]);
const ev = (key: string): Evaluation => ({
  podKey: key, podVersion: '1', pod: {}, request: { kind: 'whole' } as GpuRequest, version: 1, snapshot,
  cycle: {} as CycleState, feasible: noFeasibleNodes(),
});

describe('EvaluationCache', () => {
  it('keeps cycles only for the most recent pods and the request for older ones', () => {
    const cache = new EvaluationCache(10, 2);
    for (const key of ['a', 'b', 'c']) cache.set(ev(key));
    expect(cache.get('a')?.cycle).toBeNull();
    expect(cache.get('a')?.request.kind).toBe('whole');
    expect(cache.get('b')?.cycle).not.toBeNull();
    expect(cache.get('c')?.cycle).not.toBeNull();
    expect(cache.size).toEqual({ entries: 3, liveCycles: 2 });
  });

  it('evicts the least recently used pod beyond capacity', () => {
    const cache = new EvaluationCache(2, 2);
    cache.set(ev('a'));
    cache.set(ev('b'));
    cache.get('a');
    cache.set(ev('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('holds nothing with capacity 0, and forgets a deleted pod', () => {
    const none = new EvaluationCache(0);
    none.set(ev('a'));
    expect(none.get('a')).toBeUndefined();
    const cache = new EvaluationCache(4);
    cache.set(ev('a'));
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toEqual({ entries: 0, liveCycles: 0 });
  });
});
