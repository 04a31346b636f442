import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubePod } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

/**
 * Names-only bodies as kube-scheduler writes them (compact, NodeNames last) are read from their bytes; any other
 * layout is parsed whole. Both must answer the same, byte for byte once parsed.
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

const pod = kubePod({ name: 'f', uid: 'uid-f', requests: { 'nvidia.com/gpu': '2' }, annotations: { 'tessera.io/interruptible': 'true' } });
const names = ['l4-3', 'h100-0', 'ghost', 'a100-1', 'l4-3', 'ghost', 'nœud-ü', 'h100-1', 'a100-0'];

const layouts: [string, (args: object) => string][] = [
  ['compact, NodeNames last (read from bytes)', (a) => JSON.stringify(a)],
  ['indented (parsed whole)', (a) => JSON.stringify(a, null, 2)],
  ['NodeNames first (parsed whole)', (a) => { const { NodeNames, ...rest } = a as { NodeNames: unknown }; return JSON.stringify({ NodeNames, ...rest }); }],
];

describe('names-only bodies in any layout', () => {
  it('filter answers the same whether the names are read from bytes or parsed', async () => {
    const answers = [];
    for (const [, layout] of layouts) {
      const r = await t.post('/scheduler/filter', layout({ Pod: pod, Nodes: null, NodeNames: names }));
      expect(r.status).toBe(200);
      answers.push(r.json);
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    const first = answers[0] as { NodeNames: string[]; FailedNodes: Record<string, string> };
    // In Tessera's node order, not the request's (kube-scheduler treats the list as a set).
    expect([...first.NodeNames].sort()).toEqual(['a100-0', 'a100-1', 'h100-0', 'h100-1', 'l4-3', 'l4-3']);
    expect(Object.keys(first.FailedNodes).sort()).toEqual(['ghost', 'nœud-ü']);
  });

  it('counts how each list was read in tessera_node_name_lists_total', async () => {
    const count = async (read: string): Promise<number> =>
      Number(new RegExp(`^tessera_node_name_lists_total\\{read="${read}"\\} (\\d+)$`, 'm').exec((await t.get('/metrics')).text)?.[1] ?? 0);
    const before = { bytes: await count('bytes'), recent: await count('recent'), parsed: await count('parsed') };
    const list = ['h100-0', 'a100-3', 'l4-5'];
    await t.post('/scheduler/filter', JSON.stringify({ Pod: pod, Nodes: null, NodeNames: list }));
    await t.post('/scheduler/filter', JSON.stringify({ Pod: pod, Nodes: null, NodeNames: list }));
    await t.post('/scheduler/filter', JSON.stringify({ Pod: pod, Nodes: null, NodeNames: list }, null, 1));
    expect(await count('bytes')).toBe(before.bytes + 1);
    expect(await count('recent')).toBe(before.recent + 1);
    expect(await count('parsed')).toBe(before.parsed + 1);
  });

  it('prioritize answers the same whether the names are read from bytes or parsed', async () => {
    const answers = [];
    for (const [, layout] of layouts) answers.push((await t.post('/scheduler/prioritize', layout({ Pod: pod, Nodes: null, NodeNames: names }))).json);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect((answers[0] as { Host: string }[]).map((h) => h.Host)).toEqual(names);
  });
});
