import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import type { GpuRequest } from './gpu-request.js';
import type { ContainerLike, PodLike } from './parse-gpu-request.js';
import { parseGpuRequest, TESSERA_RESOURCES } from './parse-gpu-request.js';

type Res = Record<string, string | number>;

/** A pod whose single container requests `requests`, with optional annotations and spec fields. */
function pod(requests: Res, annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}): PodLike {
  return {
    metadata: { name: 'p', namespace: 'ns', annotations },
    spec: { containers: [{ name: 'main', resources: { requests } }], ...spec },
  };
}

/** Parses and fails the test on errors. */
function ok(p: PodLike): GpuRequest {
  const r = parseGpuRequest(p);
  if (!r.ok) throw new Error(`expected the pod to parse: ${JSON.stringify(r.errors)}`);
  return r.value;
}

const ANN = (key: string): string => `metadata.annotations[${JSON.stringify(key)}]`;
const REQ = (key: string, container = 0): string => `spec.containers[${container}].resources.requests[${JSON.stringify(key)}]`;

describe('parseGpuRequest resources', () => {
  it.each<[string, PodLike, Partial<GpuRequest>]>([
    ['a pod without GPU resources is kind none', pod({ cpu: '2', memory: '4Gi' }),
      { kind: 'none', gpus: 0, cpuMilli: 2000, hostMemoryMiB: 4096, topology: 'any' }],
    ['nvidia.com/gpu asks for whole GPUs', pod({ 'nvidia.com/gpu': '2' }), { kind: 'whole', gpus: 2 }],
    ['tessera.io/gpu alone asks for whole GPUs', pod({ 'tessera.io/gpu': '4' }), { kind: 'whole', gpus: 4 }],
    ['nvidia.com/gpu: 0 is no GPU', pod({ 'nvidia.com/gpu': '0' }), { kind: 'none', gpus: 0 }],
    ['a memory share in plain MiB applies to one GPU', pod({ 'tessera.io/gpu-memory': '10240' }),
      { kind: 'share', gpus: 1, memoryMiB: 10240, computeMilli: 0 }],
    ['a memory share as a byte quantity converts to MiB', pod({ 'tessera.io/gpu-memory': '10Gi' }), { kind: 'share', memoryMiB: 10240 }],
    ['a decimal byte quantity rounds up to whole MiB', pod({ 'tessera.io/gpu-memory': '1G' }), { kind: 'share', memoryMiB: 954 }],
    ['a compute share is milli-GPU', pod({ 'tessera.io/gpu-compute': '250' }), { kind: 'share', gpus: 1, computeMilli: 250, memoryMiB: 0 }],
    ['shares times tessera.io/gpu GPUs', pod({ 'tessera.io/gpu-memory': '20Gi', 'tessera.io/gpu-compute': '500', 'tessera.io/gpu': '2' }),
      { kind: 'share', gpus: 2, memoryMiB: 20480, computeMilli: 500, topology: 'nvlink-preferred' }],
    ['a compute share of exactly 1000 is allowed', pod({ 'tessera.io/gpu-compute': '1000' }), { kind: 'share', computeMilli: 1000 }],
    ['time-sliced replicas count GPUs', pod({ 'tessera.io/gpu-replica': '3' }), { kind: 'replica', gpus: 3 }],
    ['a tessera.io MIG resource names the profile', pod({ 'tessera.io/mig-3g.40gb': '1' }),
      { kind: 'mig', gpus: 0, mig: [{ profile: '3g.40gb', count: 1 }], topology: 'any' }],
    ['an nvidia.com MIG resource is accepted too', pod({ 'nvidia.com/mig-1g.10gb': '2' }), { kind: 'mig', mig: [{ profile: '1g.10gb', count: 2 }] }],
    ['several MIG profiles in one pod are kept apart', pod({ 'tessera.io/mig-1g.10gb': '1', 'tessera.io/mig-2g.20gb': '1' }),
      { kind: 'mig', mig: [{ profile: '1g.10gb', count: 1 }, { profile: '2g.20gb', count: 1 }] }],
    ['the same profile under both prefixes adds up', pod({ 'tessera.io/mig-1g.10gb': '1', 'nvidia.com/mig-1g.10gb': '1' }),
      { kind: 'mig', mig: [{ profile: '1g.10gb', count: 2 }] }],
    ['a +me MIG profile is a valid name', pod({ 'tessera.io/mig-1g.10gb+me': '1' }), { mig: [{ profile: '1g.10gb+me', count: 1 }] }],
    ['host cpu converts to milli, rounding up', pod({ cpu: '250m', memory: '1.5Gi' }), { cpuMilli: 250, hostMemoryMiB: 1536 }],
    ['a number from YAML counts like a string', pod({ 'nvidia.com/gpu': 1 }), { kind: 'whole', gpus: 1 }],
    ['64 GPUs is the most a pod may ask for', pod({ 'nvidia.com/gpu': '64' }), { gpus: 64 }],
    ['unrelated resources are ignored', pod({ 'example.com/fpga': 'x', 'ephemeral-storage': '1Gi' }), { kind: 'none' }],
  ])('%s', (_name, p, expected) => {
    expect(ok(p)).toMatchObject(expected);
  });

  it('falls back to limits per resource when requests are absent, as Kubernetes defaults them', () => {
    const p: PodLike = { spec: { containers: [{ resources: { requests: { cpu: '1' }, limits: { cpu: '4', 'nvidia.com/gpu': '2' } } }] } };
    expect(ok(p)).toMatchObject({ kind: 'whole', gpus: 2, cpuMilli: 1000 });
  });

  it.each<[string, ContainerLike[], ContainerLike[], Partial<GpuRequest>]>([
    ['app containers add up', [], [{ resources: { requests: { 'nvidia.com/gpu': '1', cpu: '1' } } }, { resources: { requests: { 'nvidia.com/gpu': '2', cpu: '1' } } }],
      { kind: 'whole', gpus: 3, cpuMilli: 2000 }],
    ['a larger init container wins over the app sum', [{ resources: { requests: { 'nvidia.com/gpu': '4' } } }],
      [{ resources: { requests: { 'nvidia.com/gpu': '1' } } }], { gpus: 4 }],
    ['a smaller init container does not add', [{ resources: { requests: { cpu: '500m' } } }],
      [{ resources: { requests: { cpu: '2' } } }], { cpuMilli: 2000 }],
    ['init containers take the max, not the sum', [{ resources: { requests: { cpu: '3' } } }, { resources: { requests: { cpu: '3' } } }],
      [{ resources: { requests: { cpu: '1' } } }], { cpuMilli: 3000 }],
    ['a sidecar (restartPolicy Always) adds to the app containers', [{ restartPolicy: 'Always', resources: { requests: { cpu: '1' } } }],
      [{ resources: { requests: { cpu: '2' } } }], { cpuMilli: 3000 }],
    ['a sidecar also adds to later init containers', [
      { restartPolicy: 'Always', resources: { requests: { cpu: '1' } } }, { resources: { requests: { cpu: '5' } } }],
    [{ resources: { requests: { cpu: '2' } } }], { cpuMilli: 6000 }],
    ['GPU shares from two containers add up on one GPU', [], [
      { resources: { requests: { 'tessera.io/gpu-memory': '4Gi' } } }, { resources: { requests: { 'tessera.io/gpu-memory': '2Gi' } } }],
    { kind: 'share', gpus: 1, memoryMiB: 6144 }],
  ])('%s', (_name, initContainers, containers, expected) => {
    expect(ok({ spec: { initContainers, containers } })).toMatchObject(expected);
  });
});

describe('parseGpuRequest annotations and spec', () => {
  it.each<[string, PodLike, Partial<GpuRequest>]>([
    ['models are split on "|" and canonicalised', pod({ 'nvidia.com/gpu': '1' }, { 'tessera.io/gpu-model': 'A100-80GB | NVIDIA-H100-80GB-HBM3' }),
      { models: ['A100-80GB', 'H100-80GB'] }],
    ['a model family stays a family so it matches every size', pod({ 'nvidia.com/gpu': '1' }, { 'tessera.io/gpu-model': 'H100|A100-80GB' }),
      { models: ['H100', 'A100-80GB'] }],
    ['no model annotation allows any model', pod({ 'nvidia.com/gpu': '1' }), { models: null }],
    ['topology defaults to nvlink-preferred for several GPUs', pod({ 'nvidia.com/gpu': '4' }), { topology: 'nvlink-preferred' }],
    ['topology defaults to any for one GPU', pod({ 'nvidia.com/gpu': '1' }), { topology: 'any' }],
    ['nvlink-required is read for whole GPUs', pod({ 'nvidia.com/gpu': '4' }, { 'tessera.io/topology': 'nvlink-required' }), { topology: 'nvlink-required' }],
    ['numa is read', pod({ 'nvidia.com/gpu': '2' }, { 'tessera.io/topology': 'numa' }), { topology: 'numa' }],
    ['any overrides the multi-GPU default', pod({ 'nvidia.com/gpu': '2' }, { 'tessera.io/topology': 'any' }), { topology: 'any' }],
    ['interruptible "true" is read', pod({ 'nvidia.com/gpu': '1' }, { 'tessera.io/interruptible': 'true' }), { interruptible: true }],
    ['pods are not interruptible by default', pod({ 'nvidia.com/gpu': '1' }), { interruptible: false }],
    ['tolerating a known spot taint makes a pod interruptible',
      pod({ 'nvidia.com/gpu': '1' }, {}, { tolerations: [{ key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] }),
      { interruptible: true }],
    ['a wildcard Exists toleration tolerates spot taints too', pod({ 'nvidia.com/gpu': '1' }, {}, { tolerations: [{ operator: 'Exists' }] }),
      { interruptible: true, tolerations: [{ operator: 'Exists' }] }],
    ['interruptible "false" wins over a spot toleration',
      pod({ 'nvidia.com/gpu': '1' }, { 'tessera.io/interruptible': 'false' }, { tolerations: [{ key: 'karpenter.sh/capacity-type', operator: 'Exists' }] }),
      { interruptible: false }],
    ['the group annotation is read', pod({ 'nvidia.com/gpu': '8' }, { 'tessera.io/group': 'llm-train-7' }), { group: 'llm-train-7' }],
    ['priority comes from spec.priority', pod({ 'nvidia.com/gpu': '1' }, {}, { priority: 1000 }), { priority: 1000 }],
    ['priority defaults to 0', pod({ 'nvidia.com/gpu': '1' }), { priority: 0 }],
    ['tolerations keep key, operator, value and effect', pod({}, {}, { tolerations: [{ key: 'team', operator: 'Equal', value: 'ml', effect: 'NoSchedule', tolerationSeconds: 5 }] }),
      { tolerations: [{ key: 'team', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }] }],
  ])('%s', (_name, p, expected) => {
    expect(ok(p)).toMatchObject(expected);
  });
});

describe('parseGpuRequest errors', () => {
  it.each<[string, PodLike, string, string]>([
    ['mixing whole GPUs with shares', pod({ 'nvidia.com/gpu': '1', 'tessera.io/gpu-memory': '10Gi' }),
      REQ('tessera.io/gpu-memory'), 'cannot mix whole GPUs (nvidia.com/gpu "1") with GPU shares (tessera.io/gpu-memory "10Gi")'],
    ['mixing whole GPUs with MIG', pod({ 'nvidia.com/gpu': '1', 'tessera.io/mig-1g.10gb': '1' }),
      REQ('tessera.io/mig-1g.10gb'), 'cannot mix whole GPUs (nvidia.com/gpu "1") with MIG instances'],
    ['mixing shares with replicas', pod({ 'tessera.io/gpu-compute': '100', 'tessera.io/gpu-replica': '1' }),
      REQ('tessera.io/gpu-replica'), 'with time-sliced replicas (tessera.io/gpu-replica "1")'],
    ['mixing whole GPUs across containers with shares', { spec: { containers: [
      { resources: { requests: { 'nvidia.com/gpu': '1' } } }, { resources: { requests: { 'tessera.io/gpu-compute': '300' } } }] } },
    REQ('tessera.io/gpu-compute', 1), 'cannot mix whole GPUs'],
    ['both nvidia.com/gpu and tessera.io/gpu', pod({ 'nvidia.com/gpu': '1', 'tessera.io/gpu': '1' }),
      REQ('tessera.io/gpu'), 'cannot request both nvidia.com/gpu "1" and tessera.io/gpu "1"'],
    ['tessera.io/gpu with MIG', pod({ 'tessera.io/gpu': '2', 'tessera.io/mig-1g.10gb': '1' }), REQ('tessera.io/gpu'), 'cannot combine tessera.io/gpu "2" with MIG instances'],
    ['tessera.io/gpu with replicas', pod({ 'tessera.io/gpu': '2', 'tessera.io/gpu-replica': '2' }), REQ('tessera.io/gpu'), 'it already counts GPUs'],
    ['a share on zero GPUs', pod({ 'tessera.io/gpu': '0', 'tessera.io/gpu-compute': '100' }), REQ('tessera.io/gpu'), 'a share applies to at least 1 GPU'],
    ['gpu-compute above 1000', pod({ 'tessera.io/gpu-compute': '1200' }), REQ('tessera.io/gpu-compute'),
      'cannot request tessera.io/gpu-compute "1200": a share is at most 1000 milli'],
    ['gpu-compute of zero', pod({ 'tessera.io/gpu-compute': '0' }), REQ('tessera.io/gpu-compute'), 'a share must be greater than 0'],
    ['a negative gpu-compute', pod({ 'tessera.io/gpu-compute': '-5' }), REQ('tessera.io/gpu-compute'), 'cannot request tessera.io/gpu-compute "-5": the amount is negative'],
    ['a combined compute share above 1000', { spec: { containers: [
      { resources: { requests: { 'tessera.io/gpu-compute': '600' } } }, { resources: { requests: { 'tessera.io/gpu-compute': '600' } } }] } },
    REQ('tessera.io/gpu-compute'), 'tessera.io/gpu-compute 1200 (combined over containers)'],
    ['a fractional compute share in milli', pod({ 'tessera.io/gpu-compute': '500m' }), REQ('tessera.io/gpu-compute'), 'must be a whole number of milli-GPU'],
    ['a non-integer GPU count', pod({ 'nvidia.com/gpu': '1.5' }), REQ('nvidia.com/gpu'), 'cannot request nvidia.com/gpu "1.5": must be a whole number'],
    ['a milli GPU count', pod({ 'nvidia.com/gpu': '500m' }), REQ('nvidia.com/gpu'), 'must be a whole number'],
    ['a negative GPU count', pod({ 'nvidia.com/gpu': '-1' }), REQ('nvidia.com/gpu'), 'the amount is negative'],
    ['a non-integer plain memory share', pod({ 'tessera.io/gpu-memory': '10.5' }), REQ('tessera.io/gpu-memory'), 'a plain number is MiB and must be whole'],
    ['a memory share given in bytes by mistake', pod({ 'tessera.io/gpu-memory': '10737418240' }), REQ('tessera.io/gpu-memory'), 'more than 1048576 MiB per GPU'],
    ['a bad quantity', pod({ 'tessera.io/gpu-memory': '10GB' }), REQ('tessera.io/gpu-memory'), 'cannot read tessera.io/gpu-memory "10GB": not a Kubernetes quantity'],
    ['a bad host memory quantity', pod({ memory: 'lots' }), REQ('memory'), 'cannot read memory "lots"'],
    ['more than 64 GPUs', pod({ 'nvidia.com/gpu': '65' }), REQ('nvidia.com/gpu'), 'cannot request 65 GPUs: at most 64 per pod'],
    ['more than 64 replicas', pod({ 'tessera.io/gpu-replica': '100' }), REQ('tessera.io/gpu-replica'), 'cannot request 100 replicas'],
    ['more than 64 MIG instances', pod({ 'tessera.io/mig-1g.10gb': '65' }), REQ('tessera.io/mig-1g.10gb'), 'cannot request 65 MIG instances'],
    ['a MIG profile no known GPU has', pod({ 'tessera.io/mig-5g.99gb': '1' }), REQ('tessera.io/mig-5g.99gb'), 'no known GPU has profile "5g.99gb"'],
    ['a MIG resource that is not a profile name', pod({ 'tessera.io/mig-big': '1' }), REQ('tessera.io/mig-big'), '"big" is not a MIG profile name'],
    ['nvlink-required with a fractional share', pod({ 'tessera.io/gpu-memory': '1Gi', 'tessera.io/gpu': '2' }, { 'tessera.io/topology': 'nvlink-required' }),
      ANN('tessera.io/topology'), 'cannot require NVLink for a fractional GPU share'],
    ['nvlink-required with MIG', pod({ 'tessera.io/mig-1g.10gb': '2' }, { 'tessera.io/topology': 'nvlink-required' }),
      ANN('tessera.io/topology'), 'cannot require NVLink for MIG instances'],
    ['an unknown topology', pod({ 'nvidia.com/gpu': '2' }, { 'tessera.io/topology': 'fast' }), ANN('tessera.io/topology'),
      'unknown topology "fast": expected one of nvlink-required, nvlink-preferred, numa, any'],
    ['interruptible "maybe"', pod({ 'nvidia.com/gpu': '1' }, { 'tessera.io/interruptible': 'maybe' }), ANN('tessera.io/interruptible'),
      'cannot read interruptible "maybe": expected "true" or "false"'],
    ['an empty model in the list', pod({ 'nvidia.com/gpu': '1' }, { 'tessera.io/gpu-model': 'H100||A100' }), ANN('tessera.io/gpu-model'), 'empty model name'],
    ['an empty group', pod({ 'nvidia.com/gpu': '1' }, { 'tessera.io/group': '  ' }), ANN('tessera.io/group'), 'cannot read group "  "'],
    ['a toleration with an unknown operator', pod({}, {}, { tolerations: [{ key: 'a', operator: 'In' }] }), 'spec.tolerations[0].operator',
      'cannot read toleration operator "In": expected Exists or Equal'],
    ['a non-integer priority', pod({}, {}, { priority: 1.5 }), 'spec.priority', 'cannot read priority 1.5: expected an integer'],
    ['containers that are not a list', { spec: { containers: 'x' } } as unknown as PodLike, 'spec.containers', 'expected a list, got string "x"'],
    ['requests that are not an object', { spec: { containers: [{ resources: { requests: [1] } }] } } as unknown as PodLike,
      'spec.containers[0].resources.requests', 'expected an object, got an array'],
    ['an annotation that is not a string', { metadata: { annotations: { 'tessera.io/group': 3 } } } as unknown as PodLike,
      ANN('tessera.io/group'), 'expected a string, got number 3'],
  ])('reports %s', (_name, p, path, message) => {
    const r = parseGpuRequest(p);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const hit = r.errors.find((e) => e.path === path);
      expect(hit, `errors were ${JSON.stringify(r.errors)}`).toBeDefined();
      expect(hit?.message).toContain(message);
    }
  });

  it('reports every problem at once', () => {
    const r = parseGpuRequest(pod({ 'nvidia.com/gpu': 'x', cpu: '-1' }, { 'tessera.io/topology': 'fast', 'tessera.io/interruptible': 'yes' }));
    expect(r.ok ? [] : r.errors.map((e) => e.path).sort()).toEqual(
      [ANN('tessera.io/interruptible'), ANN('tessera.io/topology'), REQ('cpu'), REQ('nvidia.com/gpu')].sort());
  });

  it('rejects a pod that is not an object', () => {
    expect(parseGpuRequest(null as unknown as PodLike)).toEqual({ ok: false, errors: [{ path: '', message: 'cannot read pod: expected an object, got null' }] });
  });

  it('never throws on arbitrary JSON and never returns a value with errors (property)', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    const podish = fc.record({
      metadata: fc.oneof(json, fc.record({ annotations: fc.dictionary(fc.constantFrom('tessera.io/topology', 'tessera.io/gpu-model', 'tessera.io/interruptible', 'tessera.io/group'), json) })),
      spec: fc.oneof(json, fc.record({
        containers: fc.oneof(json, fc.array(fc.record({ resources: fc.record({ requests: fc.oneof(json, fc.dictionary(
          fc.constantFrom('nvidia.com/gpu', 'tessera.io/gpu', 'tessera.io/gpu-memory', 'tessera.io/gpu-compute', 'tessera.io/gpu-replica', 'tessera.io/mig-1g.10gb', 'cpu', 'memory'),
          fc.oneof(json, fc.constantFrom('1', '2', '500m', '10Gi', '-1', '1e3', '0'))) ) }) }))),
        initContainers: json,
        tolerations: json,
        priority: json,
      }, { requiredKeys: [] })),
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(json, podish), (x) => {
      const r = parseGpuRequest(x as PodLike);
      if (r.ok) expect(['none', 'whole', 'share', 'replica', 'mig']).toContain(r.value.kind);
      else expect(r.errors.length).toBeGreaterThan(0);
    }), { numRuns: 500 });
  });

  it('gives the same result for the same pod and does not mutate it', () => {
    const p = pod({ 'tessera.io/gpu-memory': '4Gi', 'tessera.io/gpu': '2' }, { 'tessera.io/gpu-model': 'H100' }, { tolerations: [{ operator: 'Exists' }] });
    const before = JSON.stringify(p);
    expect(parseGpuRequest(p)).toEqual(parseGpuRequest(p));
    expect(JSON.stringify(p)).toBe(before);
  });
});

describe('TESSERA_RESOURCES', () => {
  it('lists the fixed resources and a MIG resource per known profile under both prefixes, sorted and unique', () => {
    expect(TESSERA_RESOURCES).toEqual(expect.arrayContaining([
      'nvidia.com/gpu', 'tessera.io/gpu', 'tessera.io/gpu-memory', 'tessera.io/gpu-compute', 'tessera.io/gpu-replica',
      'tessera.io/mig-3g.40gb', 'nvidia.com/mig-1g.10gb', 'tessera.io/mig-7g.141gb',
    ]));
    expect(TESSERA_RESOURCES).not.toContain('tessera.io/mig-1g.5gb+me');
    expect([...TESSERA_RESOURCES].sort()).toEqual(TESSERA_RESOURCES);
    expect(new Set(TESSERA_RESOURCES).size).toBe(TESSERA_RESOURCES.length);
    expect(TESSERA_RESOURCES).not.toContain('cpu');
  });

  it('holds only names Kubernetes accepts as extended resources (no "+me" profiles)', () => {
    // apimachinery's qualified-name rule: a DNS subdomain prefix, then [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?
    const extendedResource = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
    for (const name of TESSERA_RESOURCES) expect(name, name).toMatch(extendedResource);
  });

  it('covers every resource a parsed MIG pod may use', () => {
    for (const name of TESSERA_RESOURCES.filter((n) => n.startsWith('tessera.io/mig-'))) {
      expect(ok(pod({ [name]: '1' })).kind).toBe('mig');
    }
  });
});

describe('PodLike', () => {
  it('accepts a V1Pod from @kubernetes/client-node as it is (checked by the type checker)', () => {
    const v1: V1Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': '1' } } }] } };
    const asPodLike: PodLike = v1;
    expect(ok(asPodLike)).toMatchObject({ kind: 'whole', gpus: 1 });
  });
});
