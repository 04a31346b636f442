import { describe, expect, it } from 'vitest';
import type { DeviceAssignment } from '../model/allocation.js';
import { gpu, node } from '../algorithm/test-fixtures.js';
import { allocationGpuEquivalents, deviceGpuEquivalents } from './gpu-equivalents.js';

const A100 = node('a100', { count: 4, product: 'A100-80GB', sharing: { mode: 'fractional' } });
const L4_TS = node('l4', { count: 2, product: 'L4', sharing: { mode: 'time-sliced', replicas: 4 } });
const H100_MIG = node('h100', { count: 2, sharing: { mode: 'mig', layout: 'dynamic' } });
const EXCLUSIVE = node('x', { count: 2, sharing: { mode: 'exclusive' } });

const dev = (d: Partial<DeviceAssignment> & Pick<DeviceAssignment, 'kind'>): DeviceAssignment => ({ gpuIndex: 0, gpuUuid: 'u', memoryMiB: 0, computeMilli: 0, ...d });

describe('deviceGpuEquivalents()', () => {
  it.each([
    ['a whole GPU is 1', EXCLUSIVE, dev({ kind: 'whole' }), 1],
    ['a whole fractional GPU is 1', A100, dev({ kind: 'whole' }), 1],
    ['a quarter share (a quarter of memory and of compute) is 0.25', A100, dev({ kind: 'share', memoryMiB: 20480, computeMilli: 250 }), 0.25],
    ['a half share is 0.5', A100, dev({ kind: 'share', memoryMiB: 40960, computeMilli: 500 }), 0.5],
    ['a share of half the memory and no compute is the mean of the two fractions, 0.25', A100, dev({ kind: 'share', memoryMiB: 40960 }), 0.25],
    ['one of four time-slice replicas is 0.25', L4_TS, dev({ kind: 'replica', replicas: 1, computeMilli: 250 }), 0.25],
    ['two of four replicas are 0.5', L4_TS, dev({ kind: 'replica', replicas: 2 }), 0.5],
    ['a MIG 3g.40gb instance (4 of 8 memory slices) is 0.5', H100_MIG, dev({ kind: 'mig', mig: { profile: '3g.40gb', start: 4, size: 4 } }), 0.5],
    ['a MIG 1g.10gb instance is 0.125', H100_MIG, dev({ kind: 'mig', mig: { profile: '1g.10gb', start: 6, size: 1 } }), 0.125],
  ])('%s', (_name, inventory, device, expected) => {
    expect(deviceGpuEquivalents(device, inventory)).toBeCloseTo(expected, 9);
  });

  it('is 0 for a position the node does not have', () => {
    expect(deviceGpuEquivalents(dev({ kind: 'whole', gpuIndex: 9 }), EXCLUSIVE)).toBe(0);
  });

  it('weighs a share by the GPU it is on (the same MiB is more of a smaller GPU)', () => {
    const mixed = node('m', { gpus: [gpu(0, { product: 'A100-80GB', memoryMiB: 81920 }), gpu(1, { product: 'A100-40GB', memoryMiB: 40960 })] });
    const share = { kind: 'share' as const, memoryMiB: 20480, computeMilli: 250 };
    expect(deviceGpuEquivalents(dev({ ...share, gpuIndex: 0 }), mixed)).toBeCloseTo(0.25, 9);
    expect(deviceGpuEquivalents(dev({ ...share, gpuIndex: 1 }), mixed)).toBeCloseTo(0.375, 9);
  });
});

describe('allocationGpuEquivalents()', () => {
  it('sums the devices: 4 whole GPUs are 4', () => {
    const devices = [0, 1, 2, 3].map((i) => dev({ kind: 'whole', gpuIndex: i }));
    expect(allocationGpuEquivalents({ node: 'a100', devices, cpuMilli: 0, memoryMiB: 0 }, A100)).toBe(4);
  });
});
