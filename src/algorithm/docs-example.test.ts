import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NodeUsage } from '../model/allocation.js';
import type { GpuRequest } from '../model/gpu-request.js';
import type { NodeInventory } from '../model/node-inventory.js';
import { prefilter } from './cycle-state.js';
import { EvaluationMemo } from './evaluation-memo.js';
import { makeNodeState } from './node-state.js';
import { placeOnNode } from './place.js';
import { validateSchedulingOptions } from './scheduling-options.js';
import { scoreNode } from './score.js';
import { makeSnapshot } from './snapshot.js';

interface Example {
  readonly inventory: NodeInventory;
  readonly usage: NodeUsage;
  readonly options: unknown;
  readonly cases: readonly { name: string; request: GpuRequest; expect: { code: string; gpus?: number[]; reason?: string } }[];
}

const example = JSON.parse(readFileSync(new URL('../../docs/examples/algorithm/bridge-pairs.json', import.meta.url), 'utf8')) as Example;

describe('docs/algorithm.md example (docs/examples/algorithm/bridge-pairs.json)', () => {
  const options = validateSchedulingOptions(example.options);
  it('has valid scheduling options', () => {
    expect(options.ok).toBe(true);
  });

  it.each(example.cases)('$name', (c) => {
    if (!options.ok) throw new Error('options are invalid');
    const node = makeNodeState(example.inventory, example.usage);
    const cycle = prefilter(c.request, makeSnapshot([node]), options.value, new EvaluationMemo(options.value));
    const r = placeOnNode(c.request, node, cycle);
    expect(r.status.code).toBe(c.expect.code);
    if (c.expect.gpus !== undefined) {
      expect(r.allocation?.devices.map((d) => d.gpuIndex)).toEqual(c.expect.gpus);
      expect(r.allocation?.devices.map((d) => d.gpuUuid)).toEqual(c.expect.gpus.map((g) => `GPU-a${g}`));
      const s = scoreNode(c.request, node, cycle);
      expect(s.score).toBeGreaterThan(0);
      expect(Object.keys(s.parts).sort()).toEqual(['cost', 'fragmentation', 'groupLocality', 'packing', 'spot', 'topology']);
    } else {
      expect(r.status.code === 'success' ? '' : r.status.reason).toBe(c.expect.reason);
    }
  });
});
