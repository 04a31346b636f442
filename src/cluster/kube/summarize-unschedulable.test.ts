import { describe, expect, it } from 'vitest';
import { summarizeUnschedulable } from './summarize-unschedulable.js';

function nodes(count: number, prefix: string, message: (i: number) => string): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}-${String(i)}`, message(i)]));
}

describe('summarizeUnschedulable', () => {
  it.each<{ name: string; total: number; failed: Record<string, string>; want: string }>([
    {
      name: 'groups 40 nodes into the two reasons, the larger first',
      total: 40,
      failed: {
        ...nodes(8, 'spot', () => 'are spot and the pod is not interruptible'),
        ...nodes(32, 'h100', (i) => `lack 4 NVLink-connected free GPUs: largest free island has ${String(i % 3)}`),
      },
      want: '0/40 nodes: 32 lack 4 NVLink-connected free GPUs, 8 are spot and the pod is not interruptible',
    },
    {
      name: 'orders equal counts alphabetically so the text is stable',
      total: 2,
      failed: { b: 'zeta', a: 'alpha' },
      want: '0/2 nodes: 1 alpha, 1 zeta',
    },
    {
      name: 'names an empty message instead of printing a bare count',
      total: 1,
      failed: { a: '  ' },
      want: '0/1 nodes: 1 rejected the pod without a reason',
    },
    { name: 'says when nothing failed', total: 3, failed: {}, want: '0/3 nodes are available' },
  ])('summarizeUnschedulable() $name', ({ total, failed, want }) => {
    expect(summarizeUnschedulable(total, failed)).toBe(want);
  });
});
