import { describe, expect, it } from 'vitest';
import { serializeHostPriorities } from './serialize-host-priorities.js';

describe('serializeHostPriorities()', () => {
  it.each([
    ['an empty list', []],
    ['plain names', [{ Host: 'h100-0', Score: 7 }, { Host: 'l4-3', Score: 0 }]],
    ['names that need escaping', [{ Host: 'we"ird\\node', Score: 10 }, { Host: 'ünï', Score: 3 }]],
    ['the same host twice (memoized prefix)', [{ Host: 'a', Score: 1 }, { Host: 'a', Score: 2 }]],
    ['scores outside 0..10 and fractions', [{ Host: 'x', Score: 100 }, { Host: 'y', Score: -3 }, { Host: 'z', Score: 2.5 }]],
    ['every wire score 0..10', Array.from({ length: 11 }, (_, i) => ({ Host: `n-${i}`, Score: i }))],
  ])('matches JSON.stringify for %s', (_name, list) => {
    const text = serializeHostPriorities(list);
    expect(text).toBe(JSON.stringify(list));
    expect(JSON.parse(text)).toEqual(list);
  });
});
