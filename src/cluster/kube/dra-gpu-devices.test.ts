import { describe, expect, it } from 'vitest';
import { draGpusFromSlices, type ResourceSliceLike } from './dra-gpu-devices.js';

const gpu = (minor: number, uuid: string, qualified = false) => {
  const k = (name: string) => (qualified ? `gpu.nvidia.com/${name}` : name);
  return {
    name: `gpu-${String(minor)}`,
    attributes: {
      [k('type')]: { string: 'gpu' },
      [k('uuid')]: { string: uuid },
      [k('productName')]: { string: 'NVIDIA A100-SXM4-40GB' },
      'resource.kubernetes.io/pcieRoot': { string: 'pci0000:00' },
    },
    capacity: { memory: { value: '40Gi' } },
  };
};

const mig = (parent: string, name: string, profile: string, slices: number[], partition = false) => ({
  name,
  attributes: { type: { string: 'mig' }, parentUUID: { string: parent }, profile: { string: profile }, uuid: { string: `MIG-${name}` } },
  capacity: Object.fromEntries([['memory', { value: '10Gi' }], ...slices.map((s) => [`memorySlice${String(s)}`, { value: '1' }])]),
  ...(partition ? { consumesCounters: [{ counterSet: 'gpu-0-counter-set', counters: {} }] } : {}),
});

const slice = (node: string, devices: unknown[], driver = 'gpu.nvidia.com'): ResourceSliceLike =>
  ({ spec: { driver, nodeName: node, pool: { name: node, generation: 1 }, devices } }) as ResourceSliceLike;

describe('draGpusFromSlices', () => {
  it('reads GPUs with uuid, product and memory, sorted by minor, and ignores other drivers and nodes', () => {
    const gpus = draGpusFromSlices(
      [
        slice('n1', [gpu(1, 'GPU-b'), gpu(0, 'GPU-a', true)]),
        slice('n2', [gpu(0, 'GPU-other')]),
        slice('n1', [gpu(5, 'GPU-kwok')], 'gpu.kwok.x-k8s'),
      ],
      'n1',
    );
    expect(gpus.map((g) => [g.device, g.minor, g.uuid, g.productName, g.memoryMiB])).toEqual([
      ['gpu-0', 0, 'GPU-a', 'NVIDIA A100-SXM4-40GB', 40960],
      ['gpu-1', 1, 'GPU-b', 'NVIDIA A100-SXM4-40GB', 40960],
    ]);
  });

  it('attaches pre-created MIG devices to their parent GPU with the placement from memorySlice capacities', () => {
    const [g] = draGpusFromSlices(
      [slice('n1', [gpu(0, 'GPU-a'), mig('GPU-a', 'gpu-0-mig-3g40gb-9-4', '3g.40gb', [4, 5, 6, 7]), mig('GPU-a', 'gpu-0-mig-1g10gb-19-0', '1g.10gb', [0])])],
      'n1',
    );
    expect(g?.dynamicMig).toBe(false);
    expect(g?.mig.map((m) => [m.profile, m.start, m.size])).toEqual([
      ['1g.10gb', 0, 1],
      ['3g.40gb', 4, 4],
    ]);
  });

  it('marks a GPU dynamic-MIG when its MIG devices are counter-consuming partitions, and lists none as existing', () => {
    const [g] = draGpusFromSlices([slice('n1', [gpu(0, 'GPU-a'), mig('GPU-a', 'gpu-0-mig-1g10gb-19-0', '1g.10gb', [0], true)])], 'n1');
    expect(g?.dynamicMig).toBe(true);
    expect(g?.mig).toEqual([]);
  });
});
