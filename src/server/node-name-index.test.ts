import { describe, expect, it } from 'vitest';
import { hashBytes, NodeNameIndex } from './node-name-index.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const find = (index: NodeNameIndex, name: string): number => {
  const b = bytes(name);
  return index.find(b, 0, b.length, hashBytes(b, 0, b.length));
};

describe('NodeNameIndex', () => {
  it('finds every interned name by its bytes and by its string, across growth, and nothing else', () => {
    const index = new NodeNameIndex();
    const names = Array.from({ length: 5000 }, (_, i) => `gpu-node-${i}.rack-${i % 7}`);
    names.forEach((n, i) => expect(index.intern(n)).toBe(i));
    expect(index.intern(names[42] as string)).toBe(42);
    expect(index.size).toBe(5000);
    for (const [i, n] of names.entries()) {
      expect(find(index, n)).toBe(i);
      expect(index.idOf(n)).toBe(i);
      expect(index.name(i)).toBe(n);
    }
    expect(find(index, 'gpu-node-5000.rack-2')).toBe(-1);
    expect(find(index, 'gpu-node-1.rack-')).toBe(-1);
    expect(index.idOf('nope')).toBe(-1);
  });

  it.each([['plain', 'h100-0'], ['non-ASCII', 'nœud-ü'], ['needing escapes', 'a"b\\c\n']])('writes the JSON text of a %s name', (_kind, name) => {
    const index = new NodeNameIndex();
    index.intern('other');
    const id = index.intern(name);
    const { bytes, start, length } = index.jsonText();
    const from = start[id] as number;
    expect(Buffer.from(bytes.subarray(from, from + (length[id] as number))).toString('utf8')).toBe(JSON.stringify(name));
  });
});
