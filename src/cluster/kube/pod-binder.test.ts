import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeHttp } from './kube-http.js';
import { bindPod } from './pod-binder.js';

interface Seen {
  method: string;
  url: string;
  authorization: string;
  body: unknown;
}

let server: Server | null = null;

/** A fake API server: records requests, answers with `answer(i)`; counts TCP connections. */
async function fakeApiServer(answer: (i: number) => { status: number; body: unknown }): Promise<{ http: KubeHttp; seen: Seen[]; connections: () => number }> {
  const seen: Seen[] = [];
  let connections = 0;
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      const a = answer(seen.length - 1);
      const text = JSON.stringify(a.body);
      res.writeHead(a.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return { http: new KubeHttp(kc), seen, connections: () => connections };
}

afterEach(async () => {
  await new Promise((resolve) => (server === null ? resolve(undefined) : server.close(resolve)));
  server = null;
});

const binding = { namespace: 'ml', name: 'train-0', uid: 'uid-1', node: 'h100-3', annotations: { 'tessera.io/allocation': '{"v":1}' } };

describe('bindPod', () => {
  it('binds with one pods/binding POST that carries the allocation annotation and the pod UID', async () => {
    const api = await fakeApiServer(() => ({ status: 201, body: { kind: 'Status', status: 'Success' } }));
    await bindPod(api.http, binding);
    expect(api.seen).toEqual([{
      method: 'POST',
      url: '/api/v1/namespaces/ml/pods/train-0/binding',
      authorization: 'Bearer secret-token',
      body: {
        apiVersion: 'v1', kind: 'Binding',
        metadata: { name: 'train-0', namespace: 'ml', uid: 'uid-1', annotations: { 'tessera.io/allocation': '{"v":1}' } },
        target: { apiVersion: 'v1', kind: 'Node', name: 'h100-3' },
      },
    }]);
    api.http.close();
  });

  it('reuses one connection for consecutive binds (no handshake per bind)', async () => {
    const api = await fakeApiServer(() => ({ status: 201, body: {} }));
    for (let i = 0; i < 5; i += 1) await bindPod(api.http, { ...binding, name: `p-${String(i)}` });
    expect(api.seen).toHaveLength(5);
    expect(api.connections()).toBe(1);
    api.http.close();
  });

  it("rejects with the apiserver's Status message when the binding is refused", async () => {
    const api = await fakeApiServer(() => ({
      status: 409,
      body: { kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409, message: 'Operation cannot be fulfilled on pods/binding "train-0": pod train-0 is already assigned to node "h100-1"' },
    }));
    await expect(bindPod(api.http, binding)).rejects.toThrow(
      'cannot bind pod "ml/train-0" to node "h100-3": creating the binding failed: HTTP 409: Operation cannot be fulfilled on pods/binding "train-0": pod train-0 is already assigned to node "h100-1"',
    );
    api.http.close();
  });
});
