import { describe, expect, it } from 'vitest';
import { jsonDepth } from './json-depth.js';

const depth = (text: string, max = 128): number => {
  const bytes = Buffer.from(text);
  return jsonDepth(bytes, 0, bytes.length, max);
};

describe('jsonDepth()', () => {
  it.each([
    ['a scalar', '42', 0],
    ['an empty object', '{}', 1],
    ['an ExtenderArgs body', '{"Pod":{"metadata":{"name":"p"}},"NodeNames":["a","b"]}', 3],
    ['brackets inside strings do not count', '{"a":"[[[{{{","b":"\\\\\\"[[["}', 1],
    ['an escaped quote does not end the string', '{"a":"x\\"[[[["}', 1],
  ])('%s', (_name, text, want) => {
    expect(depth(text)).toBe(want);
    expect(depth(text)).toBe(want === 0 ? 0 : want);
  });

  it('stops at the limit instead of walking 10,000 levels', () => {
    expect(depth(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)).toBe(-1);
    expect(depth(`${'['.repeat(128)}${']'.repeat(128)}`)).toBe(128);
    expect(depth(`${'['.repeat(129)}${']'.repeat(129)}`)).toBe(-1);
  });

  it('agrees with the nesting JSON.parse builds (property over random documents)', () => {
    const nest = (v: unknown): number => (typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(nest)) : 0);
    for (const doc of [{ a: [1, { b: [[], {}] }] }, [[[['x]']]]], { 'k{': { '[': '"' } }]) {
      expect(depth(JSON.stringify(doc))).toBe(nest(doc));
    }
  });
});
