import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prefilter } from '../algorithm/cycle-state.js';
import { EvaluationMemo } from '../algorithm/evaluation-memo.js';
import { makeNodeState } from '../algorithm/node-state.js';
import { placeOnNode } from '../algorithm/place.js';
import { reserve } from '../algorithm/reserve.js';
import { DEFAULT_SCHEDULING_OPTIONS } from '../algorithm/scheduling-options.js';
import { makeSnapshot } from '../algorithm/snapshot.js';
import { node, uniformLinks } from '../algorithm/test-fixtures.js';
import { ADVERTISED_RESOURCES, UNADVERTISED_RESOURCES, advertisedCapacity, quantityValue } from './advertised-capacity.js';
import type { SharingPolicy } from './gpu-device.js';
import { parseGpuRequest } from './parse-gpu-request.js';
import { RESOURCE } from './well-known-names.js';

/** Resources a pod may write, as users write them (units mixed on purpose: a plain number is MiB for Tessera). */
const podResources: fc.Arbitrary<Record<string, string>> = fc.oneof(
  fc.record({ n: fc.constantFrom('1', '2', '4') }).map(({ n }) => ({ [RESOURCE.nvidiaGpu]: n })),
  fc.record({ mem: fc.constantFrom('10Gi', '20Gi', '8000', '40000', '35Gi'), gpus: fc.constantFrom(undefined, '1', '2') })
    .map(({ mem, gpus }) => ({ [RESOURCE.gpuMemory]: mem, ...(gpus === undefined ? {} : { [RESOURCE.gpu]: gpus }) })),
  fc.record({ comp: fc.constantFrom('100', '250', '500', '1000'), gpus: fc.constantFrom(undefined, '2') })
    .map(({ comp, gpus }) => ({ [RESOURCE.gpuCompute]: comp, ...(gpus === undefined ? {} : { [RESOURCE.gpu]: gpus }) })),
  fc.record({ mem: fc.constantFrom('10Gi', '30000'), comp: fc.constantFrom('250', '600') })
    .map(({ mem, comp }) => ({ [RESOURCE.gpuMemory]: mem, [RESOURCE.gpuCompute]: comp })),
  fc.constantFrom('1', '2', '3').map((n) => ({ [RESOURCE.gpuReplica]: n })),
  fc.constantFrom('1', '2').map((n) => ({ [RESOURCE.gpu]: n })),
);

const sharingArb = fc.constantFrom<SharingPolicy>(
  { mode: 'fractional' }, { mode: 'exclusive' }, { mode: 'time-sliced', replicas: 4 }, { mode: 'mig', layout: 'dynamic' },
);

describe('advertised node totals', () => {
  it('never make kube-scheduler\'s in-tree fit refuse a node Tessera places a pod on (totals are a superset of per-GPU fit)', () => {
    fc.assert(fc.property(fc.array(sharingArb, { minLength: 1, maxLength: 4 }), fc.array(podResources, { minLength: 1, maxLength: 30 }), (sharings, pods) => {
      const inv = node('n', {
        gpus: sharings.map((sharing, i) => ({
          index: i, uuid: `n-gpu${i}`, product: 'A100-80GB', memoryMiB: 81920, computeMilli: 1000, sharing, numaNode: 0, taints: [],
        })),
        links: uniformLinks(sharings.length, 'NV12'),
      });
      const advertised = advertisedCapacity(inv);
      const total = (name: string): number => quantityValue(advertised[name] ?? '0') ?? 0;
      const used = new Map<string, number>();
      let state = makeNodeState(inv);
      const memo = new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS);
      for (const resources of pods) {
        const podLike = { spec: { containers: [{ resources: { requests: resources, limits: resources } }] } };
        const parsed = parseGpuRequest(podLike);
        if (!parsed.ok) continue;
        const cycle = prefilter(parsed.value, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, memo);
        const placed = placeOnNode(parsed.value, state, cycle).allocation;
        if (placed === null) continue;
        // Tessera accepts the node: the in-tree filter must too, for every name it does not ignore.
        for (const [name, text] of Object.entries(resources)) {
          if (UNADVERTISED_RESOURCES.includes(name)) continue;
          const want = quantityValue(text) ?? 0;
          expect(ADVERTISED_RESOURCES.includes(name) || name === RESOURCE.nvidiaGpu).toBe(true);
          expect((used.get(name) ?? 0) + want, `${name} ${text} on ${JSON.stringify(advertised)}`).toBeLessThanOrEqual(total(name));
        }
        state = reserve(state, placed).node;
        for (const [name, text] of Object.entries(resources)) used.set(name, (used.get(name) ?? 0) + (quantityValue(text) ?? 0));
      }
    }), { numRuns: 300, seed: 7 });
  });

  it('advertise memory in Mi so byte quantities compare, and count only GPUs outside MIG as whole', () => {
    const inv = node('n', { count: 2, sharing: { mode: 'fractional' } });
    expect(advertisedCapacity(inv)).toEqual({
      'tessera.io/gpu-memory': `${2 * 81559}Mi`, 'tessera.io/gpu-compute': '2000', 'tessera.io/gpu-replica': '0', 'nvidia.com/gpu': '2',
    });
    const mig = node('m', { count: 8, product: 'A100-80GB', sharing: { mode: 'mig', layout: 'dynamic' } });
    expect(advertisedCapacity(mig)).toEqual({ 'tessera.io/gpu-memory': '0', 'tessera.io/gpu-compute': '0', 'tessera.io/gpu-replica': '0', 'nvidia.com/gpu': '0' });
    expect(UNADVERTISED_RESOURCES).toContain('tessera.io/gpu');
    expect(UNADVERTISED_RESOURCES).toContain('tessera.io/mig-3g.40gb');
    expect(UNADVERTISED_RESOURCES).toContain('nvidia.com/mig-3g.40gb');
    expect(UNADVERTISED_RESOURCES).not.toContain('tessera.io/gpu-memory');
  });
});
