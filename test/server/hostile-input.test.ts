import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubePod, namesArgs } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

/**
 * Hostile input gets a clear 4xx quickly and changes nothing: bodies limited by the fleet's size, names capped,
 * JSON depth checked before parsing, non-JSON media types refused, slow bodies cut off with 408, and clients
 * that go away counted apart from errors.
 */
let t: TestServer;
const REQUEST_TIMEOUT_S = 1;
beforeAll(async () => {
  t = await startTestServer({ config: { requestTimeoutSeconds: REQUEST_TIMEOUT_S, headersTimeoutSeconds: 1 } });
});
afterAll(async () => {
  await t.close();
});

const pod = kubePod({ name: 'p', uid: 'uid-hostile', requests: { 'nvidia.com/gpu': '1' } });
const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
interface ErrorBody { Error: string; Code: string }

/** Raw HTTP over a socket: what the client sends, when; resolves with what came back and when the socket closed. */
function raw(port: number, write: (s: Socket) => void): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const s = connect(port, '127.0.0.1', () => write(s));
    let text = '';
    s.on('data', (c: Buffer) => { text += c.toString('utf8'); });
    s.on('error', (err) => (text === '' ? reject(err) : undefined));
    s.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
  });
}

async function metric(name: string, labels: string): Promise<number> {
  const text = (await t.get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('hostile input', () => {
  it.each([
    ['filter, names read from the bytes', '/scheduler/filter', `{"Pod":${deep(10_000)},"Nodes":null,"NodeNames":["h100-0"]}`],
    ['filter, parsed whole', '/scheduler/filter', `{"NodeNames":["h100-0"],"Pod":${deep(10_000)}}`],
    ['prioritize', '/scheduler/prioritize', deep(100_000)],
    ['bind', '/scheduler/bind', `{"PodName":${deep(5_000)}}`],
    ['preempt', '/scheduler/preempt', `{"Pod":{"metadata":{"name":"p","annotations":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}}`],
  ])('answers JSON nested 10,000 levels deep with 400, not 500: %s', async (_name, path, body) => {
    const before = t.server.cache.version;
    const r = await t.post(path, body);
    expect(r.status).toBe(400);
    expect((r.json as ErrorBody).Code).toBe('TESSERA_TOO_DEEP');
    expect(t.server.cache.version).toBe(before);
  });

  it('accepts nesting as deep as real objects go', async () => {
    const nested = { Pod: { ...pod, metadata: { ...(pod.metadata as object), annotations: { note: JSON.stringify(deep(500)) } } }, Nodes: null, NodeNames: ['h100-0'] };
    expect((await t.post('/scheduler/filter', nested)).status).toBe(200);
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['JSON with a suffix', { 'content-type': 'application/jsonx' }],
  ])('refuses a body sent as %s with 415', async (_name, headers) => {
    const r = await t.post('/scheduler/filter', namesArgs(pod, ['h100-0']), headers);
    expect(r.status).toBe(415);
    expect((r.json as ErrorBody).Code).toBe('TESSERA_UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a body without a Content-Type with 415, and takes JSON with parameters in any case', async () => {
    const none = await raw(t.server.port, (s) => s.end('POST /scheduler/bind HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'));
    expect(none.text).toMatch(/^HTTP\/1\.1 415 /);
    expect(none.text).toMatch(/no Content-Type was sent/);
    const ok = await t.post('/scheduler/filter', namesArgs(pod, ['h100-0']), { 'content-type': 'Application/JSON; charset=utf-8' });
    expect(ok.status).toBe(200);
  });

  it('refuses more names than the fleet can have, on both the byte and the parsed path', async () => {
    const names = Array.from({ length: 1024 + 2 * 16 + 1 }, (_, i) => `n${i}`);
    for (const body of [JSON.stringify(namesArgs(pod, names)), JSON.stringify(namesArgs(pod, names), null, 1)]) {
      const r = await t.post('/scheduler/filter', body);
      expect(r.status).toBe(400);
      expect((r.json as ErrorBody).Code).toBe('TESSERA_TOO_MANY_NODES');
    }
  });

  it('refuses a 50 MB body from its Content-Length alone, before reading it, at the limit sized from the fleet', async () => {
    const r = await raw(t.server.port, (s) => s.write(`POST /scheduler/filter HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${50_000_000}\r\n\r\n{"Pod":`));
    expect(r.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.text).toMatch(/exceeds the limit of 2101248 bytes/); // 2 MiB + 256 B x 16 nodes
    expect(r.closedAfterMs).toBeLessThan(3000);
  });

  it('cuts a body that trickles in with 408 at requestTimeoutSeconds, and counts it as 408, not 500', async () => {
    const before = await metric('tessera_extender_request_duration_seconds_count', 'verb="filter",code="408"');
    const body = JSON.stringify(namesArgs(pod, ['h100-0']));
    const r = await raw(t.server.port, (s) => {
      s.write(`POST /scheduler/filter HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      let i = 0;
      const drip = setInterval(() => {
        if (s.destroyed || i >= body.length - 1) return clearInterval(drip);
        s.write(body[i++] as string);
      }, 100);
    });
    expect(r.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(r.text).toMatch(/TESSERA_REQUEST_TIMEOUT/);
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_S * 1000 - 50);
    expect(r.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_S * 1000 + 3000);
    expect(await metric('tessera_extender_request_duration_seconds_count', 'verb="filter",code="408"')).toBe(before + 1);
  });

  it('drops a connection whose headers never finish', async () => {
    const r = await raw(t.server.port, (s) => s.write('POST /scheduler/filter HTTP/1.1\r\nHost: x\r\n'));
    expect(r.closedAfterMs).toBeLessThan(5000);
  });

  it('counts a client that goes away mid-body as aborted, not as a 5xx', async () => {
    const aborted = await metric('tessera_http_requests_aborted_total', 'verb="bind"');
    const errors = await metric('tessera_extender_request_duration_seconds_count', 'verb="bind",code="500"');
    await raw(t.server.port, (s) => {
      s.write('POST /scheduler/bind HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"PodName":');
      setTimeout(() => s.destroy(), 100);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await metric('tessera_http_requests_aborted_total', 'verb="bind"')).toBe(aborted + 1);
    expect(await metric('tessera_extender_request_duration_seconds_count', 'verb="bind",code="500"')).toBe(errors);
    expect((await t.get('/healthz')).status).toBe(200);
  });
});
