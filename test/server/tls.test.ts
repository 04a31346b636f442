import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { DEFAULT_SCHEDULING_OPTIONS } from '../../src/algorithm/scheduling-options.js';
import { createModelParsers } from '../../src/server/model-parsers.js';
import { startTesseraServer } from '../../src/server/tessera-server.js';
import { SimulatedCluster } from '../../src/sim/simulated-cluster.js';
import { DEFAULT_FLEET, fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate for 127.0.0.1, made with the machine's openssl. */
function selfSigned(): { cert: string; key: string } {
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=tessera', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

describe('HTTPS', () => {
  it('serves the verbs over TLS when tlsCertFile and tlsKeyFile are set (kube-scheduler enableHTTPS + tlsConfig.caFile)', async () => {
    const { cert, key } = selfSigned();
    const parsers = createModelParsers();
    const server = await startTesseraServer({
      config: { ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, opsPort: 0, opsHost: '127.0.0.1', tlsCertFile: cert, tlsKeyFile: key },
      source: new SimulatedCluster(fleetNodes(DEFAULT_FLEET)), options: DEFAULT_SCHEDULING_OPTIONS,
      parseNode: parsers.parseNode, parseAllocation: parsers.parseAllocation, waitForSync: true,
    });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = JSON.stringify({ Pod: { metadata: { name: 'p', namespace: 'default', uid: 'u-tls' }, spec: { containers: [] } }, Nodes: null, NodeNames: ['h100-0'] });
      const reply = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(`${server.url}/scheduler/filter`, {
          method: 'POST', ca: readFileSync(cert), headers: { 'content-type': 'application/json' },
        }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => { text += c.toString('utf8'); });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.text)).toMatchObject({ NodeNames: ['h100-0'], Error: '' });
    } finally {
      await server.close();
    }
  });

  it('rejects a configuration with only one of the two files, naming the missing field', () => {
    const r = loadConfig({ argv: ['--tls-cert-file', '/etc/tessera/tls.crt'], env: {} });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([{ path: 'tlsKeyFile', message: expect.stringContaining('set both or neither') }]);
  });
});
