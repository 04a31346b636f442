import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';

/**
 * Runs the curl commands of docs/service.md, in document order, against a fresh server over the built-in
 * simulated fleet, and checks each answer against the JSON block the document shows after it.
 */
interface Example { readonly curl: string; readonly expected: unknown }

function examples(): Example[] {
  const doc = readFileSync('docs/service.md', 'utf8');
  const out: Example[] = [];
  const re = /```sh\n(curl [^\n]*)\n```\n```json\n([^\n]*)\n```/g;
  for (let m = re.exec(doc); m !== null; m = re.exec(doc)) out.push({ curl: m[1] as string, expected: JSON.parse(m[2] as string) });
  return out;
}

/** Turns one documented curl line into method, path and body (files are read relative to the repo root). */
function parseCurl(line: string): { method: string; path: string; body: string | undefined; headers: Record<string, string> } {
  const url = /http:\/\/localhost:8888(\/\S*)/.exec(line)?.[1];
  if (url === undefined) throw new Error(`no localhost:8888 URL in ${line}`);
  const method = /-X (\w+)/.exec(line)?.[1] ?? 'GET';
  const file = /-d @(\S+)/.exec(line)?.[1];
  const inline = /-d '([^']*)'/.exec(line)?.[1];
  const body = file !== undefined ? readFileSync(file, 'utf8') : inline;
  // curl -d sends application/x-www-form-urlencoded unless told otherwise (and Tessera answers that with 415).
  const type = /-H 'Content-Type: ([^']+)'/i.exec(line)?.[1] ?? 'application/x-www-form-urlencoded';
  return { method, path: url, body, headers: body === undefined ? {} : { 'content-type': type } };
}

/** Reason texts belong to the core and may be reworded: compare which nodes failed, and the rest exactly. */
function comparable(path: string, body: unknown): unknown {
  if (path.endsWith('/filter') && body !== null && typeof body === 'object' && 'FailedNodes' in body) {
    const b = body as Record<string, unknown>;
    return { ...b, FailedNodes: Object.keys(b.FailedNodes as object).sort(), FailedAndUnresolvableNodes: Object.keys(b.FailedAndUnresolvableNodes as object).sort() };
  }
  if (path.endsWith('/prioritize') && Array.isArray(body)) {
    return (body as { Host: string; Score: number }[]).map((h) => ({ Host: h.Host, positive: h.Score > 0 }));
  }
  return body;
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

describe('docs/service.md examples', () => {
  const list = examples();

  it('documents filter, prioritize, bind and preempt with curl', () => {
    expect(list.length).toBeGreaterThanOrEqual(5);
    const verbs = list.map((e) => parseCurl(e.curl).path);
    expect(verbs).toEqual(expect.arrayContaining(['/scheduler/filter', '/scheduler/prioritize', '/scheduler/bind', '/scheduler/preempt']));
  });

  it('answers every documented curl command as the document shows', async () => {
    for (const example of list) {
      const { method, path, body, headers } = parseCurl(example.curl);
      const r = await t.send(method, path, body, headers);
      expect(comparable(path, r.json), example.curl).toEqual(comparable(path, example.expected));
    }
  });
});
