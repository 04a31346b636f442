import { credentials, status } from '@grpc/grpc-js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { failure, healthCheck, schedulerClient } from './grpc-clients.js';
import { startTestServer } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-grpc-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore', cwd: dir });

/** A CA (key and self-signed certificate) named `name`, made with the machine's openssl. */
function ca(name: string): { cert: string; key: string } {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '1', '-subj', `/CN=${name}`);
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

/** A certificate for `cn` (with `san` as subjectAltName) signed by `by`. */
function signed(name: string, cn: string, san: string, by: { cert: string; key: string }): { cert: string; key: string } {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', by.cert, '-CAkey', by.key, '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

const root = ca('tessera-test-ca');
const stranger = ca('some-other-ca');
const serverCert = signed('server', 'tessera', 'IP:127.0.0.1', root);
const scheduler = signed('scheduler', 'kube-scheduler', 'DNS:kube-scheduler.kube-system.svc', root);
const intruder = signed('intruder', 'kube-scheduler', 'DNS:kube-scheduler.kube-system.svc', stranger);
const other = signed('other', 'batch-controller', 'URI:spiffe://cluster.local/ns/batch/sa/controller', root);

const read = (path: string): Buffer => readFileSync(path);
const clientCredentials = (client?: { cert: string; key: string }) =>
  credentials.createSsl(read(root.cert), client === undefined ? null : read(client.key), client === undefined ? null : read(client.cert));
const filterOne = { podJson: '{"metadata":{"name":"p"}}', candidates: { case: 'nodeNames' as const, value: { names: ['h100-0'] } } };

describe('gRPC over TLS and mutual TLS (tlsCertFile, tlsKeyFile, tlsClientCaFile, tlsClientAllowedNames)', () => {
  it('serves TLS with tlsCertFile and tlsKeyFile: a client trusting the CA is answered, a plaintext client is not', async () => {
    const t = await startTestServer({ config: { grpcPort: 0, tlsCertFile: serverCert.cert, tlsKeyFile: serverCert.key } });
    const address = t.server.grpc?.address as string;
    const secure = schedulerClient(address, clientCredentials());
    const plain = schedulerClient(address);
    try {
      expect((await secure.filter(filterOne)).nodeNames).toEqual(['h100-0']);
      expect(await healthCheck(address, '', clientCredentials())).toBe('SERVING');
      expect((await failure(plain.filter(filterOne))).code).toBe(status.UNAVAILABLE);
    } finally {
      secure.close();
      plain.close();
      await t.close();
    }
  });

  it('with tlsClientCaFile requires a client certificate that CA signed', async () => {
    const t = await startTestServer({ config: { grpcPort: 0, tlsCertFile: serverCert.cert, tlsKeyFile: serverCert.key, tlsClientCaFile: root.cert } });
    const address = t.server.grpc?.address as string;
    const clients = [schedulerClient(address, clientCredentials(scheduler)), schedulerClient(address, clientCredentials()), schedulerClient(address, clientCredentials(intruder))];
    try {
      expect((await (clients[0]?.filter(filterOne)))?.nodeNames).toEqual(['h100-0']);
      expect((await failure(clients[1]?.filter(filterOne) as Promise<unknown>)).code).toBe(status.UNAVAILABLE);
      expect((await failure(clients[2]?.filter(filterOne) as Promise<unknown>)).code).toBe(status.UNAVAILABLE);
    } finally {
      for (const client of clients) client.close();
      await t.close();
    }
  });

  it('with tlsClientAllowedNames admits only certificates with a listed CN, DNS or URI name (PERMISSION_DENIED otherwise, health included)', async () => {
    const t = await startTestServer({ config: {
      grpcPort: 0, tlsCertFile: serverCert.cert, tlsKeyFile: serverCert.key, tlsClientCaFile: root.cert,
      tlsClientAllowedNames: ['kube-scheduler.kube-system.svc', 'tessera-admin'],
    } });
    const address = t.server.grpc?.address as string;
    const allowed = schedulerClient(address, clientCredentials(scheduler));
    const refused = schedulerClient(address, clientCredentials(other));
    try {
      expect((await allowed.filter(filterOne)).nodeNames).toEqual(['h100-0']);
      const denied = await failure(refused.filter(filterOne));
      expect(denied.code).toBe(status.PERMISSION_DENIED);
      expect(denied.details).toBe('client certificate ["batch-controller","spiffe://cluster.local/ns/batch/sa/controller"] is not in tlsClientAllowedNames');
      await expect(healthCheck(address, '', clientCredentials(other))).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    } finally {
      allowed.close();
      refused.close();
      await t.close();
    }
  });

  it.each([
    [['--tls-client-ca-file', '/ca.crt'], 'tlsClientCaFile', /mutual TLS needs HTTPS: set tlsCertFile and tlsKeyFile too/],
    [['--tls-cert-file', '/c', '--tls-key-file', '/k', '--tls-client-allowed-names', 'a,b'], 'tlsClientAllowedNames', /allowed client names need mutual TLS: set tlsClientCaFile too/],
  ])('rejects the configuration %j, naming %s', (argv, path, message) => {
    const r = loadConfig({ argv, env: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('reads grpcPort, grpcHost and the client names from flags and the environment', () => {
    const r = loadConfig({ argv: ['--grpc-port', '9090'], env: { TESSERA_GRPC_HOST: '0.0.0.0', TESSERA_TLS_CLIENT_ALLOWED_NAMES: 'kube-scheduler, admin', TESSERA_TLS_CLIENT_CA_FILE: '/ca.crt', TESSERA_TLS_CERT_FILE: '/c', TESSERA_TLS_KEY_FILE: '/k' } });
    expect(r.ok && r.config).toMatchObject({ grpcPort: 9090, grpcHost: '0.0.0.0', tlsClientAllowedNames: ['kube-scheduler', 'admin'], tlsClientCaFile: '/ca.crt' });
    const defaults = loadConfig({ argv: [], env: {} });
    expect(defaults.ok && defaults.config).toMatchObject({ grpcPort: null, grpcHost: '127.0.0.1', tlsClientCaFile: null, tlsClientAllowedNames: [] });
  });
});
