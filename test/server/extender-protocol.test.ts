import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNOTATION } from '../../src/model/well-known-names.js';
import { bindArgs, kubePod, namesArgs, nodesArgs, realisticNode } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

/** Built-in fleet: h100-0..3 (8x H100 NVSwitch), a100-0..3 (4x A100 PCIe bridge pairs), l4-0..7 (8x L4, spot). */
const ALL = [...[0, 1, 2, 3].map((i) => `h100-${i}`), ...[0, 1, 2, 3].map((i) => `a100-${i}`), ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `l4-${i}`)];

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

interface FilterResult {
  Nodes: { metadata: object; items: { metadata: { name: string } }[] } | null;
  NodeNames: string[] | null;
  FailedNodes: Record<string, string>;
  FailedAndUnresolvableNodes: Record<string, string>;
  Error: string;
}

describe('filter (nodeCacheCapable: true, NodeNames only)', () => {
  it('keeps a non-interruptible H100 training pod off spot and non-H100 nodes, with a reason per node', async () => {
    const pod = kubePod({ name: 'train', uid: 'uid-train', requests: { 'nvidia.com/gpu': '4' }, annotations: { [ANNOTATION.gpuModel]: 'H100' } });
    const r = await t.post('/scheduler/filter', namesArgs(pod, ALL));
    expect(r.status).toBe(200);
    const body = r.json as FilterResult;
    expect(body.Error).toBe('');
    expect(body.Nodes).toBeNull();
    expect(body.NodeNames).toEqual(['h100-0', 'h100-1', 'h100-2', 'h100-3']);
    for (const name of ALL.filter((n) => !n.startsWith('h100'))) {
      const reason = body.FailedAndUnresolvableNodes[name] ?? body.FailedNodes[name];
      expect(reason, name).toMatch(/\S/);
    }
    // A model that is not allowed can never fit: preemption must not be tried there.
    expect(Object.keys(body.FailedAndUnresolvableNodes)).toEqual(expect.arrayContaining(['a100-0', 'l4-0']));
  });

  it('reports a node Tessera does not know in FailedNodes', async () => {
    const pod = kubePod({ name: 'one', uid: 'uid-one', requests: { 'nvidia.com/gpu': '1' } });
    const body = (await t.post('/scheduler/filter', namesArgs(pod, ['h100-0', 'ghost-1']))).json as FilterResult;
    expect(body.NodeNames).toEqual(['h100-0']);
    expect(body.FailedNodes['ghost-1']).toContain('"ghost-1" is not in Tessera\'s cluster cache');
  });

  it('answers an invalid GPU request with every node unresolvable and the field named', async () => {
    const pod = kubePod({ name: 'bad', uid: 'uid-bad', requests: { 'tessera.io/gpu-memory': 'lots' } });
    const body = (await t.post('/scheduler/filter', namesArgs(pod, ['h100-0', 'a100-0']))).json as FilterResult;
    expect(body.NodeNames).toEqual([]);
    expect(body.FailedAndUnresolvableNodes['h100-0']).toContain('tessera.io/gpu-memory');
  });
});

describe('filter (nodeCacheCapable: false, full v1.Node objects)', () => {
  it('returns the surviving Node objects themselves in Nodes and leaves NodeNames null', async () => {
    const nodes = t.sim?.nodeObjects().map((n) => realisticNode(n as Record<string, unknown>)) ?? [];
    const pod = kubePod({ name: 'infer', uid: 'uid-infer', requests: { 'nvidia.com/gpu': '1' }, annotations: { [ANNOTATION.gpuModel]: 'A100' } });
    const r = await t.post('/scheduler/filter', nodesArgs(pod, nodes));
    const body = r.json as FilterResult;
    expect(r.status).toBe(200);
    expect(body.NodeNames).toBeNull();
    expect(body.Nodes?.items.map((n) => n.metadata.name)).toEqual(['a100-0', 'a100-1', 'a100-2', 'a100-3']);
    // The objects are echoed whole: kube-scheduler maps them back to its NodeInfos.
    expect(body.Nodes?.items[0]).toEqual(nodes.find((n) => (n.metadata as { name: string }).name === 'a100-0'));
    expect(Object.keys(body.FailedAndUnresolvableNodes).length + Object.keys(body.FailedNodes).length).toBe(ALL.length - 4);
  });

  it('reads a node that is not in the cache from its labels', async () => {
    const node = realisticNode({
      metadata: {
        name: 'extra-h100', resourceVersion: '9',
        labels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3', 'nvidia.com/gpu.count': '8', 'tessera.io/capacity-type': 'on-demand' },
        annotations: { 'tessera.io/topology-preset': 'hgx-h100-8x-sxm' },
      },
      status: { allocatable: { cpu: '192', memory: '2048Gi', 'nvidia.com/gpu': '8' } },
    });
    const pod = kubePod({ name: 'eight', uid: 'uid-eight', requests: { 'nvidia.com/gpu': '8' }, annotations: { [ANNOTATION.gpuModel]: 'H100' } });
    const body = (await t.post('/scheduler/filter', nodesArgs(pod, [node]))).json as FilterResult;
    expect(body.Nodes?.items.map((n) => n.metadata.name)).toEqual(['extra-h100']);
  });
});

describe('prioritize', () => {
  it.each([
    ['NodeNames only', false],
    ['full nodes', true],
  ])('returns an integer 0..10 for every candidate (%s)', async (_mode, full) => {
    const pod = kubePod({ name: 'p', uid: `uid-prio-${String(full)}`, requests: { 'nvidia.com/gpu': '1' }, tolerations: [], annotations: { [ANNOTATION.interruptible]: 'true' } });
    const nodes = t.sim?.nodeObjects() ?? [];
    const args = full ? nodesArgs(pod, nodes) : namesArgs(pod, ALL);
    await t.post('/scheduler/filter', args);
    const r = await t.post('/scheduler/prioritize', args);
    expect(r.status).toBe(200);
    const list = r.json as { Host: string; Score: number }[];
    expect(list.map((h) => h.Host)).toEqual(ALL);
    for (const h of list) {
      expect(Number.isInteger(h.Score)).toBe(true);
      expect(h.Score).toBeGreaterThanOrEqual(0);
      expect(h.Score).toBeLessThanOrEqual(10);
    }
    expect(Math.max(...list.map((h) => h.Score))).toBeGreaterThan(0);
  });

  it('gives 0 to a node the pod cannot use', async () => {
    const pod = kubePod({ name: 'h', uid: 'uid-h', requests: { 'nvidia.com/gpu': '8' }, annotations: { [ANNOTATION.gpuModel]: 'H100' } });
    const list = (await t.post('/scheduler/prioritize', namesArgs(pod, ['a100-0', 'h100-1']))).json as { Host: string; Score: number }[];
    expect(list[0]).toEqual({ Host: 'a100-0', Score: 0 });
  });
});

describe('bind', () => {
  it('writes tessera.io/allocation with the exact devices and binds through the cluster source', async () => {
    const pod = kubePod({ name: 'pair', uid: 'uid-pair', requests: { 'nvidia.com/gpu': '2' }, annotations: { [ANNOTATION.gpuModel]: 'A100', [ANNOTATION.topology]: 'nvlink-required' } });
    const f = (await t.post('/scheduler/filter', namesArgs(pod, ['a100-1']))).json as FilterResult;
    expect(f.NodeNames).toEqual(['a100-1']);
    const r = await t.post('/scheduler/bind', bindArgs(pod, 'a100-1'));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ Error: '' });
    const bound = t.sim?.boundPods().find((p) => p.metadata?.uid === 'uid-pair');
    expect(bound?.spec?.nodeName).toBe('a100-1');
    const text = bound?.metadata?.annotations?.[ANNOTATION.allocation];
    expect(typeof text).toBe('string');
    // GET /api/v1/nodes shows the allocation: a bridge pair (0,1) or (2,3).
    const nodes = (await t.get('/api/v1/nodes')).json as { nodes: { name: string; pods: { uid: string; phase: string; allocation: { devices: { gpuIndex: number }[] } }[] }[] };
    const node = nodes.nodes.find((n) => n.name === 'a100-1');
    const held = node?.pods.find((p) => p.uid === 'uid-pair');
    expect(held?.phase).toBe('bound');
    const gpus = held?.allocation.devices.map((d) => d.gpuIndex).sort();
    expect([[0, 1], [2, 3]]).toContainEqual(gpus);
  });

  it('is idempotent for a pod already bound to the same node, and refuses another node', async () => {
    const pod = kubePod({ name: 'pair', uid: 'uid-pair' });
    expect((await t.post('/scheduler/bind', bindArgs(pod, 'a100-1'))).json).toEqual({ Error: '' });
    const other = (await t.post('/scheduler/bind', bindArgs(pod, 'a100-2'))).json as { Error: string };
    expect(other.Error).toContain('already holds devices on node "a100-1"');
  });

  it('fails cleanly with a non-empty Error for a node that does not exist', async () => {
    const pod = kubePod({ name: 'lost', uid: 'uid-lost', requests: { 'nvidia.com/gpu': '1' } });
    await t.post('/scheduler/filter', namesArgs(pod, ['h100-0']));
    const before = t.server.cache.version;
    const r = (await t.post('/scheduler/bind', bindArgs(pod, 'ghost-9'))).json as { Error: string };
    expect(r.Error).toContain('node "ghost-9" is not in the cluster cache');
    expect(t.server.cache.version).toBe(before);
  });

  it('fails cleanly for a pod Tessera never saw', async () => {
    const r = (await t.post('/scheduler/bind', { PodName: 'x', PodNamespace: 'default', PodUID: 'never-seen', Node: 'h100-0' })).json as { Error: string };
    expect(r.Error).toContain('has not seen the pod');
  });

  it('forgets the assumption when the cluster refuses the bind, so the devices are free again', async () => {
    const pod = kubePod({ name: 'eight-a', uid: 'uid-eight-a', requests: { 'nvidia.com/gpu': '8' }, annotations: { [ANNOTATION.gpuModel]: 'H100' } });
    await t.post('/scheduler/filter', namesArgs(pod, ['h100-3']));
    t.sim?.failNextBind('pods "eight-a" is forbidden: the apiserver said no');
    const r = (await t.post('/scheduler/bind', bindArgs(pod, 'h100-3'))).json as { Error: string };
    expect(r.Error).toContain('the apiserver said no');
    expect(t.server.cache.pod('uid-eight-a')).toBeUndefined();
    const again = (await t.post('/scheduler/bind', bindArgs(pod, 'h100-3'))).json as { Error: string };
    expect(again.Error).toBe('');
  });
});
