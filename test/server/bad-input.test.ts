import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubePod, namesArgs } from './kube-fixtures.js';
import { startTestServer, type TestServer } from './harness.js';

const MAX_BODY = 64 * 1024;
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ config: { maxBodyBytes: MAX_BODY } });
});
afterAll(async () => {
  await t.close();
});

const pod = kubePod({ name: 'p', uid: 'uid-p', requests: { 'nvidia.com/gpu': '1' } });
const withSpec = (spec: object): object => ({ Pod: { ...pod, spec: { ...(pod.spec as object), ...spec } }, Nodes: null, NodeNames: ['h100-0'] });

interface ErrorBody { Error: string; Code: string; Issues: { path: string; message: string }[] }

describe('bad input gets a 4xx naming what is wrong, and changes nothing', () => {
  it.each<[string, string, string, string | object, number, string, RegExp]>([
    ['a body that is not JSON', 'POST', '/scheduler/filter', '{"Pod": {', 400, 'TESSERA_BAD_JSON', /request body is not valid JSON/],
    ['an empty body', 'POST', '/scheduler/prioritize', '', 400, 'TESSERA_BAD_JSON', /request body is empty/],
    ['a JSON array instead of ExtenderArgs', 'POST', '/scheduler/filter', '[]', 400, 'TESSERA_BAD_REQUEST', /\(body\): .*expected object/],
    ['a missing Pod', 'POST', '/scheduler/filter', { Nodes: null, NodeNames: ['h100-0'] }, 400, 'TESSERA_BAD_REQUEST', /Pod: .*expected object/],
    ['Pod.spec.containers that is not an array', 'POST', '/scheduler/filter', withSpec({ containers: 'main' }), 400, 'TESSERA_BAD_REQUEST', /Pod\.spec\.containers: .*expected array.*\(value "main"\)/],
    ['a request quantity of the wrong type', 'POST', '/scheduler/filter', withSpec({ containers: [{ name: 'c', resources: { requests: { 'nvidia.com/gpu': true } } }] }), 400, 'TESSERA_BAD_REQUEST', /Pod\.spec\.containers\[0\]\.resources\.requests\["nvidia\.com\/gpu"\]/],
    ['NodeNames that is not a list', 'POST', '/scheduler/filter', { Pod: pod, Nodes: null, NodeNames: 'h100-0' }, 400, 'TESSERA_BAD_REQUEST', /NodeNames: .*expected array/],
    ['neither Nodes nor NodeNames', 'POST', '/scheduler/filter', { Pod: pod, Nodes: null, NodeNames: null }, 400, 'TESSERA_BAD_REQUEST', /one of Nodes .* or NodeNames .* must be set/],
    ['a full node without a name', 'POST', '/scheduler/filter', { Pod: pod, Nodes: { metadata: {}, items: [{ metadata: {} }] }, NodeNames: null }, 400, 'TESSERA_BAD_REQUEST', /Nodes\.items\[0\]\.metadata\.name/],
    ['a bind without PodUID', 'POST', '/scheduler/bind', { PodName: 'p', PodNamespace: 'default', Node: 'h100-0' }, 400, 'TESSERA_BAD_REQUEST', /PodUID/],
    ['a bind whose Node is a number', 'POST', '/scheduler/bind', { PodName: 'p', PodNamespace: 'default', PodUID: 'u', Node: 7 }, 400, 'TESSERA_BAD_REQUEST', /Node: .*expected string.*\(value 7\)/],
    ['preempt victims that are not a list', 'POST', '/scheduler/preempt', { Pod: pod, NodeNameToVictims: null, NodeNameToMetaVictims: { 'h100-0': { Pods: 'x', NumPDBViolations: 0 } } }, 400, 'TESSERA_BAD_REQUEST', /NodeNameToMetaVictims\["h100-0"\]\.Pods|NodeNameToMetaVictims\.h100-0\.Pods/],
    ['a body over maxBodyBytes', 'POST', '/scheduler/filter', JSON.stringify(namesArgs(pod, Array.from({ length: 8000 }, (_, i) => `node-${i}`))), 413, 'TESSERA_BODY_TOO_LARGE', /exceeds the limit of 65536 bytes/],
    ['GET on a verb', 'GET', '/scheduler/filter', '', 405, 'TESSERA_METHOD_NOT_ALLOWED', /method GET is not allowed on "\/scheduler\/filter": use POST/],
    ['POST on the node list (ops port)', 'POST', '/api/v1/nodes', '{}', 405, 'TESSERA_METHOD_NOT_ALLOWED', /use GET/],
    ['an unknown verb', 'POST', '/scheduler/filterz', '{}', 404, 'TESSERA_NOT_FOUND', /no route for POST "\/scheduler\/filterz"/],
    ['a path outside the prefix', 'GET', '/filter', '', 404, 'TESSERA_NOT_FOUND', /no route/],
  ])('%s -> %i', async (_name, method, path, body, status, code, message) => {
    const before = t.server.cache.version;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const r = await t.send(method, path, method === 'GET' ? undefined : text);
    expect(r.status).toBe(status);
    const err = r.json as ErrorBody;
    expect(err.Code).toBe(code);
    expect(err.Error).toMatch(message);
    if (status === 405) expect(r.headers.allow).toMatch(/POST|GET/);
    expect(t.server.cache.version).toBe(before);
  });

  it('answers a bug with 500, logs it, and keeps serving', async () => {
    const service = t.server.service as unknown as { filterCandidates: () => never };
    const original = service.filterCandidates;
    service.filterCandidates = () => {
      throw new Error('boom');
    };
    try {
      const r = await t.post('/scheduler/filter', namesArgs(pod, ['h100-0']));
      expect(r.status).toBe(500);
      expect((r.json as ErrorBody).Error).toBe('internal error: boom');
    } finally {
      service.filterCandidates = original;
    }
    const ok = await t.post('/scheduler/filter', namesArgs(pod, ['h100-0']));
    expect(ok.status).toBe(200);
    expect((await t.get('/healthz')).status).toBe(200);
  });
});
