import { describe, expect, it } from 'vitest';
import type { GpuRequest } from '../model/gpu-request.js';
import { prefilter } from './cycle-state.js';
import { EvaluationMemo } from './evaluation-memo.js';
import { evaluateNode } from './evaluate-node.js';
import { makeNodeState } from './node-state.js';
import { DEFAULT_SCHEDULING_OPTIONS } from './scheduling-options.js';
import { planRemainder } from './score-parts.js';
import { makeSnapshot } from './snapshot.js';
import { node, request, usage } from './test-fixtures.js';

const inv = node('n', { count: 2 });
const MEM = inv.gpus[0]?.memoryMiB ?? 0;
/** GPU 0 half used (500 idle units), GPU 1 empty. */
const half = makeNodeState(inv, usage(inv, { 0: { memoryMiB: MEM / 2, computeMilli: 500 } }));
const full = makeNodeState(inv, usage(inv, { 0: { memoryMiB: MEM, computeMilli: 1000 } }));

function remainder(req: GpuRequest, state = half): number {
  const cycle = prefilter(req, makeSnapshot([state]), DEFAULT_SCHEDULING_OPTIONS, new EvaluationMemo(DEFAULT_SCHEDULING_OPTIONS));
  return planRemainder(state, evaluateNode(state, cycle));
}

describe('planRemainder', () => {
  it.each([
    ['a whole GPU leaves nothing beside it', request(), 0],
    ['two whole GPUs leave nothing', request({ gpus: 2 }), 0],
    ['a quarter share on the half-used GPU leaves a quarter', request({ kind: 'share', memoryMiB: MEM / 4, computeMilli: 250 }), 250],
    ['a half share fills the half-used GPU exactly', request({ kind: 'share', memoryMiB: MEM / 2, computeMilli: 500 }), 0],
    ['a plan without devices leaves nothing', request({ kind: 'none', gpus: 0, cpuMilli: 1000 }), 0],
  ])('planRemainder(): %s', (_name, req, expected) => {
    expect(remainder(req, req.gpus === 2 ? makeNodeState(inv) : half)).toBeCloseTo(expected, 6);
  });

  it('counts the room left on an empty GPU when a share must start one', () => {
    expect(remainder(request({ kind: 'share', memoryMiB: MEM * 0.3, computeMilli: 300 }), full)).toBeCloseTo(700, 6);
  });
});
