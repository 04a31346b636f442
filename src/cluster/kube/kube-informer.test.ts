import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeHttp } from './kube-http.js';
import { KubeInformer } from './kube-informer.js';

type Obj = { metadata: { name: string; namespace?: string; uid: string; resourceVersion: string } };
const pod = (name: string, rv: string): Obj => ({ metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: rv } });

/**
 * A fake collection endpoint: `lists` are answered in turn (each a list of pages), `watches` in turn (each a
 * status and the lines to send before ending the stream, or 'hold' to keep it open).
 */
interface Script {
  lists: Obj[][][];
  watches: { status: number; lines: string[]; hold?: boolean }[];
}

let server: Server | null = null;
let held: ServerResponse[] = [];

async function fakeCollection(script: Script): Promise<{ http: KubeHttp; requests: string[] }> {
  const requests: string[] = [];
  let list = -1;
  let watch = 0;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${url.searchParams.get('watch') === 'true' ? 'WATCH' : 'LIST'} ${url.search}`);
    if (url.searchParams.get('watch') !== 'true') {
      const cont = url.searchParams.get('continue');
      if (cont === null) list += 1;
      const pages = script.lists[Math.min(list, script.lists.length - 1)] ?? [[]];
      const page = cont === null ? 0 : Number(cont);
      const more = page + 1 < pages.length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ metadata: { resourceVersion: `list-${String(list)}`, ...(more ? { continue: String(page + 1) } : {}) }, items: pages[page] }));
      return;
    }
    const w = script.watches[watch] ?? { status: 200, lines: [], hold: true };
    watch += 1;
    res.writeHead(w.status, { 'content-type': 'application/json' });
    if (w.status !== 200) {
      res.end(JSON.stringify({ kind: 'Status', code: w.status, message: 'too old resource version' }));
      return;
    }
    for (const line of w.lines) res.write(`${line}\n`);
    if (w.hold === true) held.push(res);
    else res.end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return { http: new KubeHttp(kc), requests };
}

afterEach(async () => {
  for (const res of held) res.end();
  held = [];
  await new Promise((resolve) => (server === null ? resolve(undefined) : server.close(resolve)));
  server = null;
});

const ev = (type: string, o: Obj): string => JSON.stringify({ type, object: o });
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
};

function recorder(): { log: string[]; handlers: { upsert(o: Obj): void; remove(o: Obj): void } } {
  const log: string[] = [];
  return { log, handlers: { upsert: (o) => log.push(`upsert ${o.metadata.name}@${o.metadata.resourceVersion}`), remove: (o) => log.push(`remove ${o.metadata.name} ${o.metadata.uid}`) } };
}

describe('KubeInformer', () => {
  it('lists every page, then reports watch events in order and resumes from the last one when the stream ends', async () => {
    const api = await fakeCollection({
      lists: [[[pod('a', '1'), pod('b', '2')], [pod('c', '3')]]],
      watches: [
        { status: 200, lines: [ev('ADDED', pod('d', '4')), ev('MODIFIED', pod('a', '5')), JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } })] },
        { status: 200, lines: [ev('DELETED', pod('b', '10'))], hold: true },
      ],
    });
    const r = recorder();
    const informer = new KubeInformer<Obj>({ http: api.http, path: '/api/v1/pods', handlers: r.handlers, pageSize: 2, backoffMs: 5 });
    await informer.start();
    expect(r.log).toEqual(['upsert a@1', 'upsert b@2', 'upsert c@3']);
    await until(() => r.log.length === 6);
    expect(r.log.slice(3)).toEqual(['upsert d@4', 'upsert a@5', 'remove b uid-b']);
    expect(api.requests).toEqual([
      'LIST ?limit=2', 'LIST ?limit=2&continue=1',
      'WATCH ?watch=true&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=list-0',
      'WATCH ?watch=true&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=9',
    ]);
    expect(informer.size).toBe(3);
    await informer.stop();
    api.http.close();
  });

  it('lists again on 410 Gone, reporting changed objects and removing the ones that vanished meanwhile', async () => {
    const api = await fakeCollection({
      lists: [[[pod('a', '1'), pod('b', '2')]], [[pod('a', '1'), pod('c', '7')]]],
      watches: [{ status: 410, lines: [] }, { status: 200, lines: [ev('ADDED', pod('d', '8'))], hold: true }],
    });
    const r = recorder();
    const informer = new KubeInformer<Obj>({ http: api.http, path: '/api/v1/pods', handlers: r.handlers, backoffMs: 5 });
    await informer.start();
    await until(() => r.log.length === 5);
    // a is unchanged (same resourceVersion): not reported again.
    expect(r.log).toEqual(['upsert a@1', 'upsert b@2', 'upsert c@7', 'remove b uid-b', 'upsert d@8']);
    expect(api.requests.at(-1)).toBe('WATCH ?watch=true&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=list-1');
    await informer.stop();
    api.http.close();
  });

  it('treats an ERROR event with code 410 as Gone, and retries after other watch failures', async () => {
    const api = await fakeCollection({
      lists: [[[pod('a', '1')]], [[pod('a', '2')]]],
      watches: [
        { status: 500, lines: [] },
        { status: 200, lines: [JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old' } })] },
        { status: 200, lines: [], hold: true },
      ],
    });
    const r = recorder();
    const logs: string[] = [];
    const informer = new KubeInformer<Obj>({ http: api.http, path: '/api/v1/pods', handlers: r.handlers, backoffMs: 5, log: (m) => logs.push(m) });
    await informer.start();
    await until(() => r.log.length === 2);
    expect(r.log).toEqual(['upsert a@1', 'upsert a@2']);
    expect(logs.some((m) => m.includes('HTTP 500'))).toBe(true);
    await informer.stop();
    api.http.close();
  });
});
