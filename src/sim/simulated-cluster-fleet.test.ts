import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLEET, fleetNodes, parseFleet } from './simulated-cluster-fleet.js';

describe('fleet files', () => {
  it('docs/examples/fleet.yaml is valid and is the built-in fleet', () => {
    const r = parseFleet(readFileSync('docs/examples/fleet.yaml', 'utf8'));
    expect(r.ok && r.fleet).toEqual(DEFAULT_FLEET);
  });

  it('names nodes <pool>-<i> and labels them as GPU Feature Discovery would', () => {
    const nodes = fleetNodes(DEFAULT_FLEET);
    expect(nodes).toHaveLength(16);
    const l4 = nodes.find((n) => n.metadata?.name === 'l4-7');
    expect(l4?.metadata?.labels).toMatchObject({ 'nvidia.com/gpu.product': 'NVIDIA-L4', 'nvidia.com/gpu.count': '8', 'tessera.io/capacity-type': 'spot' });
    expect(l4?.metadata?.annotations).toMatchObject({ 'tessera.io/hourly-price': '4.6', 'tessera.io/topology-preset': 'l4-8x-pcie-2socket' });
  });

  it.each([
    ['not YAML', 'pools: [', /\(file\)/],
    ['a wrong kind', 'apiVersion: tessera.io/v1alpha1\nkind: Fleet\npools: []', /kind/],
    ['a pool with a bad count', 'apiVersion: tessera.io/v1alpha1\nkind: SimulatedFleet\npools:\n  - {name: a, count: 0, gpuProduct: NVIDIA-L4, gpuCount: 1}', /pools\.0\.count/],
    ['an unknown pool field', 'apiVersion: tessera.io/v1alpha1\nkind: SimulatedFleet\npools:\n  - {name: a, count: 1, gpuProduct: NVIDIA-L4, gpuCount: 1, gpus: 2}', /pools\.0/],
    ['duplicate pool names', 'apiVersion: tessera.io/v1alpha1\nkind: SimulatedFleet\npools:\n  - {name: a, count: 1, gpuProduct: NVIDIA-L4, gpuCount: 1}\n  - {name: a, count: 1, gpuProduct: NVIDIA-L4, gpuCount: 1}', /pools\.1\.name/],
  ])('reports %s by path', (_name, text, path) => {
    const r = parseFleet(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path).join(' ')).toMatch(path);
  });
});
