import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Allocation, DeviceAssignment } from './allocation.js';
import { ALLOCATION_ANNOTATION, formatAllocationAnnotation, parseAllocationAnnotation } from './allocation-annotation.js';
import type { GpuDevice, MigInstance, SharingPolicy } from './gpu-device.js';
import { freeMigStarts, migProfile, migProfilesFor } from './mig-profiles.js';
import type { NodeInventory } from './node-inventory.js';

/** One GPU of the test node. */
function gpu(index: number, sharing: SharingPolicy, product = 'A100-80GB'): GpuDevice {
  return { index, uuid: `GPU-${index}`, product, memoryMiB: 81920, computeMilli: 1000, sharing, numaNode: null, taints: [] };
}

const fixed: MigInstance[] = [{ profile: '3g.40gb', start: 0, size: 4 }, { profile: '2g.20gb', start: 4, size: 2 }, { profile: '1g.10gb', start: 6, size: 1 }];
/** A node with one GPU of each sharing mode; GPU indices deliberately differ from positions. */
const inv: NodeInventory = {
  name: 'n1',
  gpus: [
    gpu(10, { mode: 'fractional' }),
    gpu(11, { mode: 'exclusive' }),
    gpu(12, { mode: 'time-sliced', replicas: 4 }),
    gpu(13, { mode: 'mig', layout: 'dynamic' }),
    gpu(14, { mode: 'mig', layout: fixed }),
  ],
  links: [],
  cpuMilli: 64000,
  memoryMiB: 512000,
  capacityType: 'on-demand',
  hourlyPrice: null,
  instanceType: null,
  clique: null,
  rack: null,
  zone: null,
  topologySource: 'none',
};

const dev = (pos: number, kind: DeviceAssignment['kind'], extra: Partial<DeviceAssignment> = {}): DeviceAssignment =>
  ({ gpuIndex: pos, gpuUuid: `GPU-${10 + pos}`, kind, memoryMiB: 0, computeMilli: 0, ...extra });

describe('allocation annotation', () => {
  it('writes the documented version-1 JSON with GPU indices, not positions', () => {
    const alloc: Allocation = { node: 'n1', devices: [dev(0, 'share', { memoryMiB: 10240, computeMilli: 250 }), dev(3, 'mig', { memoryMiB: 40192, computeMilli: 429, mig: fixed[0] })], cpuMilli: 2000, memoryMiB: 8192 };
    expect(ALLOCATION_ANNOTATION).toBe('tessera.io/allocation');
    expect(JSON.parse(formatAllocationAnnotation(alloc, inv))).toEqual({
      v: 1, node: 'n1', cpuMilli: 2000, memoryMiB: 8192, devices: [
        { index: 10, uuid: 'GPU-10', kind: 'share', memoryMiB: 10240, computeMilli: 250 },
        { index: 13, uuid: 'GPU-13', kind: 'mig', memoryMiB: 40192, computeMilli: 429, mig: { profile: '3g.40gb', start: 0, size: 4 } },
      ],
    });
  });

  it('throws on an assignment that names a GPU the inventory does not have there (a caller bug)', () => {
    expect(() => formatAllocationAnnotation({ node: 'n1', devices: [dev(9, 'whole')], cpuMilli: 0, memoryMiB: 0 }, inv)).toThrow(/bug: cannot format allocation/);
  });

  const doc = (devices: unknown[], extra: Record<string, unknown> = {}): string => JSON.stringify({ v: 1, node: 'n1', devices, cpuMilli: 0, memoryMiB: 0, ...extra });
  const d = (pos: number, kind: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ index: 10 + pos, uuid: `GPU-${10 + pos}`, kind, memoryMiB: 0, computeMilli: 0, ...extra });

  it.each([
    ['text that is not JSON', '{', '', 'cannot read allocation: not JSON'],
    ['an array', '[]', '', 'expected an object, got an array'],
    ['another version', JSON.stringify({ v: 2 }), 'v', 'cannot read allocation version 2: this Tessera reads version 1'],
    ['another node', doc([], { node: 'n2' }), 'node', 'cannot apply allocation for node "n2" to node "n1"'],
    ['a negative cpu', doc([], { cpuMilli: -1 }), 'cpuMilli', 'expected a non-negative integer'],
    ['devices that are not a list', doc([], { devices: {} }), 'devices', 'expected a list, got an object'],
    ['an unknown uuid', doc([{ ...d(0, 'whole'), uuid: 'GPU-99' }]), 'devices[0].uuid', 'cannot find GPU "GPU-99" on node "n1"'],
    ['an index that does not match the uuid', doc([{ ...d(0, 'whole'), index: 0 }]), 'devices[0].index', 'cannot match index 0 to GPU "GPU-10": its index is 10'],
    ['an unknown kind', doc([d(0, 'half')]), 'devices[0].kind', 'unknown device kind "half"'],
    ['a share on an exclusive GPU', doc([d(1, 'share')]), 'devices[0].kind', 'cannot hold a "share" device on GPU 11: its sharing is exclusive'],
    ['a whole GPU on a MIG GPU', doc([d(3, 'whole')]), 'devices[0].kind', 'its sharing is mig'],
    ['a replica on a fractional GPU', doc([d(0, 'replica', { replicas: 1 })]), 'devices[0].kind', 'its sharing is fractional'],
    ['more replicas than the GPU has', doc([d(2, 'replica', { replicas: 5 })]), 'devices[0].replicas', 'expected 1..4'],
    ['a replica device without replicas', doc([d(2, 'replica')]), 'devices[0].replicas', 'without "replicas"'],
    ['more memory than the GPU has', doc([d(0, 'share', { memoryMiB: 90000 })]), 'devices[0].memoryMiB', 'expected 0..81920'],
    ['compute above 1000', doc([d(0, 'share', { computeMilli: 1001 })]), 'devices[0].computeMilli', 'expected 0..1000'],
    ['a MIG device without an instance', doc([d(3, 'mig')]), 'devices[0].mig', 'without its "mig" instance'],
    ['a MIG profile the product lacks', doc([d(3, 'mig', { mig: { profile: '3g.20gb', start: 0, size: 4 } })]), 'devices[0].mig.profile', 'cannot find MIG profile "3g.20gb" on A100-80GB'],
    ['an illegal MIG start', doc([d(3, 'mig', { mig: { profile: '3g.40gb', start: 2, size: 4 } })]), 'devices[0].mig', 'allowed starts 0,4'],
    ['an instance outside the fixed layout', doc([d(4, 'mig', { mig: { profile: '1g.10gb', start: 5, size: 1 } })]), 'devices[0].mig', 'not in the GPU\'s fixed MIG layout'],
    ['overlapping MIG instances on one GPU', doc([d(3, 'mig', { mig: { profile: '3g.40gb', start: 0, size: 4 } }), d(3, 'mig', { mig: { profile: '4g.40gb', start: 0, size: 4 } })]),
      'devices[0]', 'overlaps'],
    ['the same GPU twice', doc([d(0, 'share'), d(0, 'share')]), 'devices[1].uuid', 'cannot list GPU 10 twice'],
  ])('rejects %s', (_name, text, path, message) => {
    const r = parseAllocationAnnotation(text, inv);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const hit = r.errors.find((e) => e.path === path);
      expect(hit, JSON.stringify(r.errors)).toBeDefined();
      expect(hit?.message).toContain(message);
    }
  });

  /** A random valid allocation on `inv`: per GPU maybe one device of a kind its sharing allows. */
  const allocation: fc.Arbitrary<Allocation> = fc.record({
    picks: fc.array(fc.tuple(fc.boolean(), fc.nat(81920), fc.nat(1000), fc.integer({ min: 1, max: 4 }), fc.array(fc.nat(20), { maxLength: 4 }), fc.boolean()), { minLength: 5, maxLength: 5 }),
    cpuMilli: fc.nat(64000),
    memoryMiB: fc.nat(512000),
  }).map(({ picks, cpuMilli, memoryMiB }) => {
    const devices: DeviceAssignment[] = [];
    picks.forEach(([use, mem, comp, reps, migChoices, whole], pos) => {
      if (!use) return;
      const g = inv.gpus[pos];
      if (g === undefined) return;
      const s = g.sharing;
      if (s.mode === 'fractional') devices.push(whole ? dev(pos, 'whole', { memoryMiB: g.memoryMiB, computeMilli: 1000 }) : dev(pos, 'share', { memoryMiB: mem, computeMilli: comp }));
      else if (s.mode === 'exclusive') devices.push(dev(pos, 'whole', { memoryMiB: g.memoryMiB, computeMilli: 1000 }));
      else if (s.mode === 'time-sliced') devices.push(dev(pos, 'replica', { computeMilli: 250, replicas: Math.min(reps, s.replicas) }));
      else if (s.layout === 'dynamic') {
        const placed: MigInstance[] = [];
        const profiles = migProfilesFor(g.product);
        for (const c of migChoices) {
          const p = profiles[c % profiles.length];
          const start = p === undefined ? undefined : freeMigStarts(g.product, placed, p.name)[0];
          if (p === undefined || start === undefined) continue;
          const inst = { profile: p.name, start, size: p.memorySlices };
          placed.push(inst);
          devices.push(dev(pos, 'mig', { memoryMiB: p.memoryMiB, computeMilli: Math.round((1000 * p.computeSlices) / 7), mig: inst }));
        }
      } else {
        s.layout.forEach((inst, k) => {
          if (migChoices.includes(k)) devices.push(dev(pos, 'mig', { memoryMiB: migProfile(g.product, inst.profile)?.memoryMiB ?? 0, mig: inst }));
        });
      }
    });
    return { node: 'n1', devices, cpuMilli, memoryMiB };
  });

  it('round-trips every valid allocation (property)', () => {
    fc.assert(fc.property(allocation, (a) => {
      expect(parseAllocationAnnotation(formatAllocationAnnotation(a, inv), inv)).toEqual({ ok: true, value: a });
    }), { numRuns: 300 });
  });

  it('never throws on arbitrary text or JSON (property)', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), allocation.map((a) => formatAllocationAnnotation(a, inv).replace(/"GPU-1\d"/, '"x"'))), (text) => {
      const r = parseAllocationAnnotation(text, inv);
      expect(r.ok || r.errors.length > 0).toBe(true);
    }), { numRuns: 300 });
  });
});
