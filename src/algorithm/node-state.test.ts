import { describe, expect, it, vi } from 'vitest';
import { makeNodeState } from './node-state.js';
import { node, usage } from './test-fixtures.js';

describe('makeNodeState', () => {
  it('is a pure function: a fresh module and one with a long history give the same signature', async () => {
    const inv = node('a', { count: 8, hourlyPrice: 10 });
    const held = { 0: { computeMilli: 500, memoryMiB: 1024 }, 3: { whole: true, computeMilli: 1000, memoryMiB: 81920 } };
    vi.resetModules();
    const used = await import('./node-state.js');
    for (let i = 0; i < 50; i += 1) used.makeNodeState(node(`x${i}`, { count: 1 + (i % 8), cpuMilli: 1000 * i }));
    const afterHistory = used.makeNodeState(inv, usage(inv, held)).signature;
    vi.resetModules();
    const fresh = await import('./node-state.js');
    expect(fresh.makeNodeState(inv, usage(inv, held)).signature).toBe(afterHistory);
  });

  it('gives equal signatures to equal structure and usage whatever the node name or price', () => {
    const held = { 1: { computeMilli: 250, memoryMiB: 512 } };
    const a = node('a', { count: 8, hourlyPrice: 10 });
    const b = node('b', { count: 8, hourlyPrice: 30 });
    expect(makeNodeState(b, usage(b, held)).signature).toBe(makeNodeState(a, usage(a, held)).signature);
  });

  it('gives different signatures when usage or structure differ', () => {
    const a = node('a', { count: 8 });
    const empty = makeNodeState(a).signature;
    expect(makeNodeState(a, usage(a, { 1: { computeMilli: 250, memoryMiB: 512 } })).signature).not.toBe(empty);
    expect(makeNodeState(node('a', { count: 4 })).signature).not.toBe(empty);
    expect(makeNodeState(node('a', { count: 8, capacityType: 'spot' })).signature).not.toBe(empty);
  });
});
