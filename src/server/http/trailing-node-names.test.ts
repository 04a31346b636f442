import { describe, expect, it } from 'vitest';
import { NodeNameIndex } from '../node-name-index.js';
import { NodeNamesReader } from './trailing-node-names.js';

const pod = { metadata: { name: 'p', uid: 'u', annotations: { note: 'a ,"NodeNames":[ inside a string' } } };

function setup(): { index: NodeNameIndex; reader: NodeNamesReader } {
  const index = new NodeNameIndex();
  for (const n of ['h100-0', 'h100-1', 'a100-0', 'l4-0']) index.intern(n);
  return { index, reader: new NodeNamesReader(index) };
}

/** The names a reader found, or null. */
function names(reader: NodeNamesReader, body: string): string[] | null {
  const r = reader.read(Buffer.from(body));
  if (r === null) return null;
  const c = r.candidates;
  if (c === null) throw new Error('the list was over the limit');
  return Array.from({ length: c.count }, (_, i) => c.name(i));
}

describe('NodeNamesReader', () => {
  it.each([
    ['known names', ['h100-0', 'a100-0', 'l4-0']],
    ['unknown, repeated and non-ASCII names', ['ghost', 'h100-1', 'ghost', 'nœud-ü', 'h100-1']],
    ['no names', []],
  ])('reads %s exactly as JSON.parse does, with the head parsing to the rest of the body', (_kind, list) => {
    const { reader, index } = setup();
    const body = JSON.stringify({ Pod: pod, Nodes: null, NodeNames: list });
    const r = reader.read(Buffer.from(body));
    expect(r).not.toBeNull();
    const c = r?.candidates;
    expect(Array.from({ length: c?.count ?? -1 }, (_, i) => c?.name(i))).toEqual(list);
    expect([...(c?.ids ?? [])]).toEqual(list.map((n) => index.idOf(n)));
    expect(JSON.parse(`${body.slice(0, r?.headEnd)}}`)).toEqual({ Pod: pod, Nodes: null });
    // The same list again is recognised from the recent lists and still reads the same.
    expect(names(reader, JSON.stringify({ Pod: { metadata: { name: 'q' } }, Nodes: null, NodeNames: list }))).toEqual(list);
  });

  it.each([
    ['whitespace inside the list', '{"Pod":{},"Nodes":null,"NodeNames":["h100-0", "l4-0"]}'],
    ['an escaped name', '{"Pod":{},"Nodes":null,"NodeNames":["h100\\u002d0"]}'],
    ['an empty name', '{"Pod":{},"Nodes":null,"NodeNames":["h100-0",""]}'],
    ['NodeNames not last', '{"Pod":{},"NodeNames":["h100-0"],"Nodes":null}'],
    ['NodeNames of a nested object', '{"Pod":{"x":1,"NodeNames":["h100-0"]}}'],
    ['a trailing comma', '{"Pod":{},"Nodes":null,"NodeNames":["h100-0",]}'],
    ['a number in the list', '{"Pod":{},"Nodes":null,"NodeNames":["h100-0",7]}'],
    ['not JSON at all', 'NodeNames'],
  ])('declines %s (the caller parses the whole body)', (_kind, body) => {
    expect(names(setup().reader, body)).toBeNull();
  });

  it('recognises a list it was told it sent (filter answer) without scanning, names and ids intact', () => {
    const { reader, index } = setup();
    const sent = Buffer.from('"l4-0","h100-1"');
    reader.remember(sent, Int32Array.from([index.idOf('l4-0'), index.idOf('h100-1')]));
    const r = reader.read(Buffer.from(`{"Pod":{},"Nodes":null,"NodeNames":[${sent.toString()}]}`));
    expect([...(r?.candidates?.ids ?? [])]).toEqual([index.idOf('l4-0'), index.idOf('h100-1')]);
    expect(r?.candidates?.name(1)).toBe('h100-1');
  });

  it('gives each request its own ids (the service may fill in ids it learns)', () => {
    const { reader } = setup();
    const body = Buffer.from('{"Pod":{},"Nodes":null,"NodeNames":["ghost"]}');
    const first = reader.read(body);
    (first?.candidates?.ids as Int32Array)[0] = 99;
    expect([...(reader.read(body)?.candidates?.ids ?? [])]).toEqual([-1]);
  });
});

describe('NodeNamesReader with a cap on names', () => {
  it.each([
    ['a list at the cap is read', 3, 3],
    ['a list over the cap is not resolved', 2, null],
  ])('%s', (_name, cap, count) => {
    const { reader } = setup();
    const r = reader.read(Buffer.from('{"Pod":{},"Nodes":null,"NodeNames":["h100-0","ghost","l4-0"]}'), cap);
    expect(r).not.toBeNull();
    expect(r?.candidates?.count ?? null).toBe(count);
  });

  it('still answers null for a malformed list over the cap, as JSON.parse would refuse it', () => {
    const { reader } = setup();
    expect(reader.read(Buffer.from('{"Pod":{},"Nodes":null,"NodeNames":["a","b","c" "d"]}'), 2)).toBeNull();
  });
});
