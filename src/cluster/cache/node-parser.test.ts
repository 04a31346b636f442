import { describe, expect, it } from 'vitest';
import type { NodeInventory } from '../../model/node-inventory.js';
import type { ParseResult } from '../../model/parse-result.js';
import type { NodeObject } from './cluster-source.js';
import { createNodeParser } from './node-parser.js';

function counting(): { calls: string[]; parse: (n: NodeObject) => ParseResult<NodeInventory> } {
  const calls: string[] = [];
  return {
    calls,
    parse: (n) => {
      calls.push(`${n.metadata?.name ?? ''}@${n.metadata?.resourceVersion ?? ''}`);
      return { ok: true, value: { name: n.metadata?.name ?? '' } as NodeInventory };
    },
  };
}

describe('createNodeParser()', () => {
  it('parses a node once per name and resourceVersion and returns the same result object', () => {
    const c = counting();
    const parser = createNodeParser(c.parse);
    const a1 = parser.parse({ metadata: { name: 'a', resourceVersion: '1' } });
    const a1again = parser.parse({ metadata: { name: 'a', resourceVersion: '1', labels: { x: 'y' } } });
    const a2 = parser.parse({ metadata: { name: 'a', resourceVersion: '2' } });
    expect(a1again).toBe(a1);
    expect(a2).not.toBe(a1);
    expect(c.calls).toEqual(['a@1', 'a@2']);
    expect(parser.size).toBe(1);
  });

  it('parses every time when a node has no resourceVersion', () => {
    const c = counting();
    const parser = createNodeParser(c.parse);
    parser.parse({ metadata: { name: 'b' } });
    parser.parse({ metadata: { name: 'b' } });
    expect(c.calls).toEqual(['b@', 'b@']);
  });
});
