import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';

/**
 * Mutual TLS on the verb server: a client certificate signed by tlsClientCaFile is required (the handshake
 * refuses anyone else), and with tlsClientAllowedNames only those identities may call the verbs. The ops
 * server stays plain HTTP and read-only.
 */
const dir = mkdtempSync(join(tmpdir(), 'tessera-mtls-'));
const file = (name: string): string => join(dir, name);
const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { stdio: 'ignore' });
};

/** A CA, a server certificate for 127.0.0.1, and client certificates (CN + DNS SAN) signed by it or by another CA. */
function makePki(): void {
  for (const ca of ['ca', 'rogue-ca']) {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file(`${ca}.key`), '-out', file(`${ca}.crt`), '-days', '1', '-subj', `/CN=${ca}`);
  }
  const leaf = (name: string, ca: string, san: string): void => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`);
    writeFileSync(file(`${name}.ext`), `subjectAltName=${san}\n`);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`), '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '1', '-extfile', file(`${name}.ext`));
  };
  leaf('tessera', 'ca', 'IP:127.0.0.1');
  leaf('kube-scheduler', 'ca', 'DNS:kube-scheduler.tessera-system');
  leaf('intruder', 'ca', 'DNS:intruder.example');
  leaf('rogue', 'rogue-ca', 'DNS:kube-scheduler.tessera-system');
}

let t: TestServer;
beforeAll(async () => {
  makePki();
  t = await startTestServer({
    config: {
      tlsCertFile: file('tessera.crt'), tlsKeyFile: file('tessera.key'), tlsClientCaFile: file('ca.crt'),
      tlsClientAllowedNames: ['kube-scheduler.tessera-system'],
    },
  });
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const bindBody = JSON.stringify({ PodName: 'p', PodNamespace: 'default', PodUID: 'u-mtls', Node: 'h100-0' });

/** POSTs a bind as `client` (its certificate and key), or with no certificate. */
function bindAs(client: string | null): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}/scheduler/bind`, {
      method: 'POST', ca: readFileSync(file('ca.crt')), headers: { 'content-type': 'application/json' },
      ...(client === null ? {} : { cert: readFileSync(file(`${client}.crt`)), key: readFileSync(file(`${client}.key`)) }),
    }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString('utf8'); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(bindBody);
  });
}

describe('mutual TLS on the verbs', () => {
  it('serves a client whose certificate the CA signed and whose name is allowed', async () => {
    const r = await bindAs('kube-scheduler');
    expect(r.status).toBe(200);
    // It reached bind itself (which refuses this unknown pod in its answer).
    expect(JSON.parse(r.text)).toMatchObject({ Error: expect.stringMatching(/cannot bind pod "default\/p"/) as unknown });
  });

  it('refuses in the handshake a client without a certificate', async () => {
    await expect(bindAs(null)).rejects.toThrow(/certificate|socket hang up|ECONNRESET|alert/i);
  });

  it('refuses in the handshake a certificate another CA signed, even with an allowed name', async () => {
    await expect(bindAs('rogue')).rejects.toThrow(/certificate|socket hang up|ECONNRESET|alert/i);
  });

  it('answers 403 to a client the CA signed whose name is not allowed', async () => {
    const r = await bindAs('intruder');
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text)).toMatchObject({ Code: 'TESSERA_FORBIDDEN' });
    expect(r.text).toMatch(/intruder\.example/);
  });

  it('keeps metrics on the plain-HTTP ops port, apart from the verbs', async () => {
    expect(t.opsUrl).toMatch(/^http:\/\//);
    expect((await t.get('/metrics')).text).toMatch(/tessera_binds_total\{result="error"\}/);
    expect((await t.send('POST', '/scheduler/bind', bindBody).catch((e: Error) => ({ status: -1, message: e.message }))).status).toBe(-1);
  });
});
