import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeHttp } from './kube-http.js';

let server: Server | null = null;
afterEach(async () => {
  await new Promise((resolve) => (server === null ? resolve(undefined) : server.close(resolve)));
  server = null;
});

function kubeconfig(port: number, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${String(port)}/`, skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

describe('KubeHttp credentials', () => {
  it('reuses the kubeconfig credentials for credentialsTtlMs, then reads them again (a rotated token is used)', async () => {
    const seen: string[] = [];
    server = createServer((req, res) => {
      seen.push(`${req.url ?? ''} ${req.headers.authorization ?? ''}`);
      res.end('{}');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const kc = kubeconfig(port, 'first');
    let now = 1_000;
    const http = new KubeHttp(kc, 4, 10_000, () => now);
    try {
      expect((await http.request('GET', '/api/v1/a')).status).toBe(200);
      kc.loadFromOptions({ clusters: kc.clusters, users: [{ name: 'u', token: 'second' }], contexts: kc.contexts, currentContext: 'x' });
      now += 9_999;
      await http.request('GET', '/api/v1/b');
      now += 1;
      await http.request('GET', '/api/v1/c');
      expect(seen).toEqual(['/api/v1/a Bearer first', '/api/v1/b Bearer first', '/api/v1/c Bearer second']);
    } finally {
      http.close();
    }
  });
});
