import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterSink, ClusterSource } from '../../src/cluster/cache/cluster-source.js';
import { DEFAULT_FLEET, fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';
import { startTestServer, type TestServer } from './harness.js';

/** A source that lists its nodes only when told to (a slow informer sync). */
class SlowSource implements ClusterSource {
  readonly kind = 'slow';
  private sink: ClusterSink | null = null;
  async start(sink: ClusterSink): Promise<void> {
    this.sink = sink;
  }
  sync(): void {
    for (const node of fleetNodes(DEFAULT_FLEET)) this.sink?.upsertNode(node);
    this.sink?.markSynced();
  }
  async bind(): Promise<void> {}
  async stop(): Promise<void> {}
}

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('health endpoints', () => {
  it('answers /healthz at once and /readyz only after the cluster source synced', async () => {
    const source = new SlowSource();
    t = await startTestServer({ source });
    expect((await t.get('/healthz')).status).toBe(200);
    const before = await t.get('/readyz');
    expect(before.status).toBe(503);
    expect(before.text).toContain('not synced');
    expect(((await t.get('/api/v1/nodes')).json as { synced: boolean; nodes: unknown[] })).toMatchObject({ synced: false, nodes: [] });
    source.sync();
    expect((await t.get('/readyz')).status).toBe(200);
    const list = (await t.get('/api/v1/nodes')).json as { synced: boolean; cluster: string; nodes: { name: string }[] };
    expect(list.synced).toBe(true);
    expect(list.cluster).toBe('slow');
    expect(list.nodes).toHaveLength(16);
    expect(list.nodes[0]?.name).toBe('a100-0');
  });

  it('answers filter with an Error (kube-scheduler retries the pod) until the cluster source synced', async () => {
    const source = new SlowSource();
    t = await startTestServer({ source });
    const body = {
      Pod: { metadata: { name: 'p', namespace: 'default', uid: 'u-sync' }, spec: { containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': '1' } } }] } },
      Nodes: null, NodeNames: ['h100-0'],
    };
    const before = (await t.post('/scheduler/filter', body)).json as { Error: string; NodeNames: string[] | null };
    expect(before.Error).toContain('has not finished listing the cluster');
    expect(before.NodeNames).toBeNull();
    source.sync();
    const after = (await t.post('/scheduler/filter', body)).json as { Error: string; NodeNames: string[] | null };
    expect(after.Error).toBe('');
    expect(after.NodeNames).toEqual(['h100-0']);
  });

  it('serves the verbs under a configured prefix only', async () => {
    t = await startTestServer({ config: { urlPrefix: '/ext/v1' } });
    const body = { Pod: { metadata: { name: 'p', uid: 'u' }, spec: { containers: [] } }, Nodes: null, NodeNames: ['h100-0'] };
    expect((await t.post('/ext/v1/filter', body)).status).toBe(200);
    expect((await t.post('/scheduler/filter', body)).status).toBe(404);
  });
});
