import { describe, expect, it } from 'vitest';
import { NamesEcho } from './names-echo.js';

const names = Array.from({ length: 100 }, (_, i) => `gpu-node-${i}`);
const json = JSON.stringify(names);
const pod = '{"metadata":{"name":"p","uid":"u","annotations":{"x":",\\"NodeNames\\":[]}"}}}';

function echo(): NamesEcho {
  const e = new NamesEcho();
  e.remember(names, json);
  return e;
}

describe('NamesEcho', () => {
  it('parses a prioritize body that echoes a remembered filter answer exactly as JSON.parse does', () => {
    const body = `{"Pod":${pod},"Nodes":null,"NodeNames":${json}}`;
    const got = echo().parse(body);
    expect(got).toEqual(JSON.parse(body));
    expect(got?.NodeNames).not.toBe(names);
  });

  it.each([
    ['other names', `{"Pod":${pod},"Nodes":null,"NodeNames":${JSON.stringify(names.slice(1))}}`],
    ['the names in another order', `{"Pod":${pod},"Nodes":null,"NodeNames":${JSON.stringify([...names].reverse())}}`],
    ['a trailing newline', `{"Pod":${pod},"Nodes":null,"NodeNames":${json}}\n`],
    ['NodeNames nested inside the pod', `{"Pod":{"a":1,"NodeNames":${json}}}`],
    ['a broken head', `{"Pod":{"a":,"NodeNames":${json}}`],
    ['nothing before NodeNames', `{,"NodeNames":${json}}`],
    ['no NodeNames at all', `{"Pod":${pod}}`],
  ])('declines %s (the caller parses as usual)', (_name, body) => {
    expect(echo().parse(body)).toBeUndefined();
  });

  it('forgets the oldest answers beyond its capacity and ignores empty lists', () => {
    const e = new NamesEcho(1);
    e.remember(names, json);
    e.remember(names.slice(1), JSON.stringify(names.slice(1)));
    e.remember([], '[]');
    expect(e.parse(`{"Pod":1,"NodeNames":${json}}`)).toBeUndefined();
    expect(e.parse(`{"Pod":1,"NodeNames":${JSON.stringify(names.slice(1))}}`)?.NodeNames).toEqual(names.slice(1));
    expect(e.parse('{"Pod":1,"NodeNames":[]}')).toBeUndefined();
  });
});
