import { describe, expect, it } from 'vitest';
import { baseSlot, OverlayMap } from './overlay-map.js';

describe('OverlayMap', () => {
  const slots = (): Map<string, ReturnType<typeof baseSlot<number>>> => new Map([['a', baseSlot(1)], ['b', baseSlot(2)], ['c', baseSlot(3)]]);
  const base = slots();
  base.get('b')!.changedAt = 5;
  base.get('c')!.changedAt = 5;
  const view = new OverlayMap(base, new Map<string, number | undefined>([['b', 20], ['c', undefined], ['d', 4]]), 3, 5);

  it('reads changed, deleted, added and untouched keys like a plain map would', () => {
    expect([view.get('a'), view.get('b'), view.get('c'), view.get('d'), view.get('x')]).toEqual([1, 20, undefined, 4, undefined]);
    expect([view.has('a'), view.has('b'), view.has('c'), view.has('d'), view.has('x')]).toEqual([true, true, false, true, false]);
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

  it('never changes the values of the base it shares', () => {
    expect([...base].map(([k, s]) => [k, s.value])).toEqual([['a', 1], ['b', 2], ['c', 3]]);
  });

  it('keeps an older view on the base values when a key changes after it was made', () => {
    const shared = slots();
    const before = new OverlayMap(shared, new Map<string, number | undefined>(), 3, 7);
    shared.get('a')!.changedAt = 8;
    const after = new OverlayMap(shared, new Map<string, number | undefined>([['a', 10]]), 3, 8);
    expect([before.get('a'), after.get('a')]).toEqual([1, 10]);
    expect([...before.values()].sort((x, y) => x - y)).toEqual([1, 2, 3]);
  });

  it('falls back to the base value when a slot is marked changed at its own version but the change is not in its overlay', () => {
    const shared = slots();
    const same = new OverlayMap(shared, new Map<string, number | undefined>(), 3, 7);
    shared.get('b')!.changedAt = 7;
    expect([same.get('b'), same.has('b')]).toEqual([2, true]);
  });
});
