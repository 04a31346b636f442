/**
 * The replay's model of kube-scheduler's node choice against the real thing: a slice of the Alibaba trace
 * (20 GPU nodes, 120 pods of seed 45's arrival order) through a real kube-apiserver, KWOK, kube-scheduler with
 * deploy/'s configuration and Tessera, one pod at a time, beside the model kept in step. bench/node-choice-check.ts
 * runs the same at 100 nodes and 1,000 pods.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrace } from '../../src/sim/replay/load-trace.js';
import { seedSetup } from '../../src/sim/replay/seed-setup.js';
import { runNodeChoiceCheck, type NodeChoiceReport } from './harness/node-choice-check.js';
import { startTesseraStack, type TesseraStack } from './harness/tessera-stack.js';
import { traceKwokNode } from './harness/trace-slice.js';

const DIR = resolve(import.meta.dirname, '../../../shared/traces/alibaba-gpu-v2023');
let stack: TesseraStack | null = null;
let report: NodeChoiceReport;

beforeAll(async () => {
  const trace = loadTrace(`${DIR}/openb_node_list_gpu_node.csv`, `${DIR}/openb_pod_list_default.csv`);
  const setup = seedSetup(trace, 45);
  const byName = new Map(trace.nodes.map((n) => [n.name, n]));
  const nodes = setup.nodes.slice(0, 20).map((inv) => byName.get(inv.name) ?? (() => { throw new Error(`no trace node ${inv.name}`); })());
  stack = await startTesseraStack('node-choice', nodes.map(traceKwokNode));
  report = await runNodeChoiceCheck(stack, nodes, setup.pods.slice(0, 120), 'node-choice');
}, 30 * 60_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

describe('the replay model of kube-scheduler against a real kube-scheduler', () => {
  it('binds every pod the model places to a node of the model\'s best total, and leaves the same pods unschedulable', () => {
    expect(report.bound).toBeGreaterThan(80);
    expect(report.agreed, report.disagreements.join('\n')).toBe(report.bound);
    expect(report.agreedUnschedulable, report.disagreements.join('\n')).toBe(report.pods - report.bound);
  });

  it('strands the same GPU share in the real cluster as the model replaying the slice alone', () => {
    expect(Math.abs(report.realUnallocatedPct - report.modelUnallocatedPct)).toBeLessThanOrEqual(0.5);
  });
});
