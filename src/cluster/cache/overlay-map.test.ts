import { describe, expect, it } from 'vitest';
import { OverlayMap } from './overlay-map.js';

describe('OverlayMap', () => {
  const base = new Map([['a', 1], ['b', 2], ['c', 3]]);
  const view = new OverlayMap(base, new Map<string, number | undefined>([['b', 20], ['c', undefined], ['d', 4]]), 3);

  it('reads changed, deleted, added and untouched keys like a plain map would', () => {
    expect([view.get('a'), view.get('b'), view.get('c'), view.get('d'), view.get('x')]).toEqual([1, 20, undefined, 4, undefined]);
    expect([view.has('a'), view.has('b'), view.has('c'), view.has('d')]).toEqual([true, true, false, true]);
  });

  it('iterates every visible entry exactly once', () => {
    expect(new Map(view)).toEqual(new Map([['a', 1], ['b', 20], ['d', 4]]));
    expect([...view.keys()].sort()).toEqual(['a', 'b', 'd']);
    expect([...view.values()].sort((x, y) => x - y)).toEqual([1, 4, 20]);
    const seen: string[] = [];
    view.forEach((_v, k) => seen.push(k));
    expect(seen.sort()).toEqual(['a', 'b', 'd']);
    expect(view.size).toBe(3);
  });

  it('never changes the base it shares', () => {
    expect(new Map(base)).toEqual(new Map([['a', 1], ['b', 2], ['c', 3]]));
  });
});
