import { describe, expect, it } from 'vitest';
import { balancedScore, fitScore, leastRequestedScore, mostRequestedScore } from './in-tree-scores.js';

const CPU_MEM = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];

/** Cases and expected scores from kube-scheduler v1.35.4's own tests (the comments there show the arithmetic). */
describe('kube-scheduler node-resource scores', () => {
  it.each([
    // least_allocated_test.go
    ['LeastAllocated', [3000, 5000], [4000, 10000], 37],
    ['LeastAllocated', [3000, 5000], [6000, 10000], 50],
    ['LeastAllocated', [6000, 0], [10000, 20000], 70],
    ['LeastAllocated', [6000, 5000], [10000, 20000], 57],
    // most_allocated_test.go
    ['MostAllocated', [3000, 5000], [4000, 10000], 62],
    ['MostAllocated', [3000, 5000], [6000, 10000], 50],
    ['MostAllocated', [6000, 0], [10000, 20000], 30],
    ['MostAllocated', [6000, 5000], [10000, 20000], 42],
    ['MostAllocated', [6000, 10000], [10000, 20000], 55],
  ] as const)('fitScore(%s, requested %j, allocatable %j) = %d', (strategy, requested, allocatable, want) => {
    expect(fitScore(strategy, CPU_MEM, requested, allocatable)).toBe(want);
  });

  it.each([
    // balanced_allocation_test.go
    [[3000, 5000], [4000, 10000], 87],
    [[3000, 5000], [6000, 10000], 100],
    [[6000, 5000], [10000, 20000], 82],
    [[6000, 10000], [10000, 20000], 95],
    [[6000, 10000], [10000, 50000], 80],
    [[6000, 0], [6000, 10000], 50],
    [[6000, 5000], [6000, 10000], 75],
    // three resources (cpu, memory, a scalar): (1 - 0.3002) * 100 and (1 - 0.358) * 100
    [[3000, 5000, 4], [3500, 40000, 8], 70],
    [[3000, 5000, 1], [3500, 40000, 8], 65],
  ] as const)('balancedScore(requested %j, allocatable %j) = %d', (requested, allocatable, want) => {
    expect(balancedScore(requested, allocatable)).toBe(want);
  });

  it('skips resources the node does not have and caps over-requests as the Go code does', () => {
    expect(fitScore('MostAllocated', CPU_MEM, [3000, 5000], [4000, 0])).toBe(75);
    expect(mostRequestedScore(5000, 4000)).toBe(100);
    expect(leastRequestedScore(5000, 4000)).toBe(0);
    expect(fitScore('LeastAllocated', CPU_MEM, [0, 0], [0, 0])).toBe(0);
    expect(fitScore('MostAllocated', [{ name: 'cpu', weight: 3 }, { name: 'memory', weight: 1 }], [3000, 5000], [4000, 10000])).toBe(68);
  });
});
