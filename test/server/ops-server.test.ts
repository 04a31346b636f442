import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULING_OPTIONS } from '../../src/algorithm/scheduling-options.js';
import { DEFAULT_CONFIG } from '../../src/config/config-schema.js';
import { startTesseraServer, type TesseraServer } from '../../src/server/tessera-server.js';
import { SimulatedCluster } from '../../src/sim/simulated-cluster.js';
import { DEFAULT_FLEET, fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';
import { modelParsers } from './harness.js';

/** The ops server: metrics, health and the node inventory on a port apart from the verbs, read-only. */
let server: TesseraServer;
beforeAll(async () => {
  const p = modelParsers();
  server = await startTesseraServer({
    config: { ...DEFAULT_CONFIG, port: 0, opsPort: 0, opsHost: '127.0.0.1' },
    source: new SimulatedCluster(fleetNodes(DEFAULT_FLEET)), options: DEFAULT_SCHEDULING_OPTIONS,
    parseNode: p.parseNode, parseAllocation: p.parseAllocation, waitForSync: true,
    opsMounts: [(_req, res, url) => {
      if (url.pathname !== '/mounted-probe') return false;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('mounted');
      return true;
    }],
  });
});
afterAll(async () => {
  await server.close(100);
});

describe('ops server', () => {
  it('listens on its own port, the verbs on loopback by default', () => {
    expect(server.opsPort).not.toBe(server.port);
    expect(DEFAULT_CONFIG.host).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  it.each([
    ['/metrics', 200, /^# HELP tessera_/m],
    ['/healthz', 200, /^ok/],
    ['/readyz', 200, /^ok/],
    ['/api/v1/nodes', 200, /"kind":"TesseraNodeList"/],
    ['/mounted-probe', 200, /^mounted$/],
    ['/dashboard/', 200, /<html|<!doctype/i],
    ['/scheduler/filter', 404, /extender verbs are on the verb port/],
  ])('GET %s -> %i', async (path, status, body) => {
    const r = await fetch(`${server.opsUrl}${path}`);
    expect(r.status).toBe(status);
    expect(await r.text()).toMatch(body);
  });

  it('changes nothing: POST is refused with 405', async () => {
    const r = await fetch(`${server.opsUrl}/api/v1/nodes`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(405);
  });

  it('does not serve metrics or the inventory on the verb port', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
