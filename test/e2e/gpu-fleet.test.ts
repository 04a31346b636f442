import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { createModelParsers } from '../../src/server/model-parsers.js';
import { allocationViolations, fleetNodeObject, type FleetNode, mixedFleet } from './harness/gpu-fleet.js';

// The e2e fleet is only meaningful if Tessera reads each fake node as the suite assumes: checked here, fast,
// without any cluster.
const fleet = mixedFleet();
const parsers = createModelParsers();

describe('e2e GPU fleet', () => {
  it.each(fleet.filter((_, i) => i === 0 || fleet[i - 1]?.preset !== fleet[i]?.preset || fleet[i - 1]?.spot !== fleet[i]?.spot))(
    'Tessera reads node $name as declared (GPUs, memory, NVLink islands, spot)',
    (spec: FleetNode) => {
      const parsed = parsers.parseNode(fleetNodeObject(spec));
      if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
      const inv = parsed.value;
      expect(inv.gpus).toHaveLength(spec.gpus);
      expect(inv.capacityType).toBe(spec.spot ? 'spot' : 'on-demand');
      expect(inv.hourlyPrice).toBe(spec.hourlyPrice);
      for (const g of inv.gpus) expect(g.memoryMiB).toBeLessThanOrEqual(spec.gpuMemoryMiB);
      const nv = (a: number, b: number): boolean => inv.links[a]?.[b]?.level === 'NV';
      for (const island of spec.nvlinkIslands) {
        for (const a of island) for (const b of island) if (a !== b) expect(nv(a, b)).toBe(true);
      }
      const islandOf = (i: number): number => spec.nvlinkIslands.findIndex((s) => s.includes(i));
      for (let a = 0; a < spec.gpus; a++) {
        for (let b = 0; b < spec.gpus; b++) if (a !== b && islandOf(a) !== islandOf(b)) expect(nv(a, b)).toBe(false);
      }
      if (spec.sharing === 'mig:dynamic') expect(inv.gpus.every((g) => g.sharing.mode === 'mig')).toBe(true);
    },
  );

  const bound = (name: string, node: string, devices: unknown[]): V1Pod => ({
    metadata: { name, namespace: 'e2e', annotations: { 'tessera.io/allocation': JSON.stringify({ v: 1, node, devices, cpuMilli: 0, memoryMiB: 0 }) } },
    spec: { nodeName: node, containers: [] },
  });
  const share = (index: number, computeMilli: number, memoryMiB = 1024) => ({ index, uuid: 'u', kind: 'share', memoryMiB, computeMilli });

  it.each([
    ['two half shares fit one GPU', [bound('a', 'h100-0', [share(0, 500)]), bound('b', 'h100-0', [share(0, 500)])], []],
    ['three half shares over-commit it', [bound('a', 'h100-0', [share(0, 500)]), bound('b', 'h100-0', [share(0, 500)]), bound('c', 'h100-0', [share(0, 500)])], ['h100-0/0: 1500 milli of compute allocated (max 1000)']],
    ['a whole GPU plus a share is caught', [bound('a', 'h100-0', [{ index: 1, uuid: 'u', kind: 'whole', memoryMiB: 81559, computeMilli: 1000 }]), bound('b', 'h100-0', [share(1, 100)])], ['h100-0/1: a whole-GPU holder shares the GPU (1 whole, 1 other)', 'h100-0/1: 1100 milli of compute allocated (max 1000)', 'h100-0/1: 82583 MiB allocated (GPU has 81559)']],
    ['overlapping MIG instances are caught', [bound('a', 'a100mig-0', [{ index: 0, uuid: 'u', kind: 'mig', memoryMiB: 40192, computeMilli: 429, mig: { profile: '3g.40gb', start: 0, size: 4 } }]), bound('b', 'a100mig-0', [{ index: 0, uuid: 'u', kind: 'mig', memoryMiB: 20096, computeMilli: 286, mig: { profile: '2g.20gb', start: 2, size: 2 } }])], ['a100mig-0/0: MIG instances overlap on memory slices [1,1,2,2,0,0,0,0]']],
    ['an allocation for another node is caught', [bound('a', 'h100-0', [share(0, 100)])].map((p) => ({ ...p, spec: { ...p.spec, nodeName: 'h100-1' } })), ['e2e/a: allocation names node h100-0 but the pod is bound to h100-1']],
  ])('allocationViolations(): %s', (_name, pods, want) => {
    expect(allocationViolations(fleet, pods as V1Pod[])).toEqual(want);
  });
});
