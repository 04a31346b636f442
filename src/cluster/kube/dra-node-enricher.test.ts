import { describe, expect, it } from 'vitest';
import type { DraGpu } from './dra-gpu-devices.js';
import { enrichNodeWithDra } from './dra-node-enricher.js';

const gpu = (minor: number, mig: DraGpu['mig'] = [], dynamicMig = false): DraGpu => ({
  device: `gpu-${String(minor)}`,
  minor,
  uuid: `GPU-${String(minor)}`,
  productName: 'NVIDIA A100-SXM4-80GB',
  memoryMiB: 81920,
  mig,
  dynamicMig,
});
const m = (profile: string, start: number, size: number) => ({ device: `mig-${profile}-${String(start)}`, uuid: 'MIG-x', profile, start, size });

describe('enrichNodeWithDra', () => {
  it('fills GFD labels, uuids and a shared MIG layout when the node has none', () => {
    const layout = [m('3g.40gb', 0, 4), m('3g.40gb', 4, 4)];
    const out = enrichNodeWithDra({ metadata: { name: 'n1', labels: { a: 'b' } } }, [gpu(0, layout), gpu(1, layout)]);
    expect(out.metadata?.labels).toEqual({
      a: 'b',
      'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB',
      'nvidia.com/gpu.count': '2',
      'nvidia.com/gpu.memory': '81920',
    });
    expect(out.metadata?.annotations).toEqual({
      'tessera.io/gpu-uuids': 'GPU-0,GPU-1',
      'tessera.io/gpu-sharing': 'mig:3g.40gb,3g.40gb',
    });
  });

  it.each([
    ['dynamic MIG on every GPU', [gpu(0, [], true), gpu(1, [], true)], 'mig:dynamic'],
    ['different MIG layouts per GPU', [gpu(0, [m('7g.80gb', 0, 8)]), gpu(1)], undefined],
    ['no MIG at all', [gpu(0), gpu(1)], undefined],
  ])('sets gpu-sharing for %s', (_name, gpus, want) => {
    expect(enrichNodeWithDra({ metadata: { name: 'n1' } }, gpus).metadata?.annotations?.['tessera.io/gpu-sharing']).toBe(want);
  });

  it('keeps what the node already says and leaves a node without DRA GPUs untouched', () => {
    const node = { metadata: { name: 'n1', labels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' }, annotations: { 'tessera.io/gpu-sharing': 'exclusive' } } };
    const out = enrichNodeWithDra(node, [gpu(0, [], true)]);
    expect(out.metadata?.labels?.['nvidia.com/gpu.product']).toBe('NVIDIA-H100-80GB-HBM3');
    expect(out.metadata?.annotations?.['tessera.io/gpu-sharing']).toBe('exclusive');
    expect(enrichNodeWithDra(node, [])).toBe(node);
  });
});
