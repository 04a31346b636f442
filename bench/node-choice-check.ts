/**
 * Checks the replay's model of kube-scheduler's node choice against the real thing (issue: "packing as
 * deployed", item 4): a slice of the Alibaba trace (`--nodes` GPU nodes of one seed's node order, the first
 * `--pods` pods of its arrival order) replayed one pod at a time through a real kube-apiserver, KWOK,
 * kube-scheduler (deploy/'s configuration) and Tessera, beside the model kept in step. Prints how often
 * kube-scheduler's choice has the model's best total, and the unallocated GPU % of the real cluster and of the
 * model replaying the slice alone. Prints, never asserts. Usage:
 *   npx tsx bench/node-choice-check.ts [--nodes 100] [--pods 1000] [--seed 45] [--trace default]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTrace } from '../src/sim/replay/load-trace.js';
import { seedSetup } from '../src/sim/replay/seed-setup.js';
import { DEFAULT_TRACE_DIR } from '../src/sim/replay/simulate-command.js';
import { runNodeChoiceCheck } from '../test/e2e/harness/node-choice-check.js';
import { startTesseraStack } from '../test/e2e/harness/tessera-stack.js';
import { traceKwokNode } from '../test/e2e/harness/trace-slice.js';

const { values } = parseArgs({ options: { nodes: { type: 'string' }, pods: { type: 'string' }, seed: { type: 'string' }, trace: { type: 'string' } } });
const nodeCount = Number(values.nodes ?? '100');
const podCount = Number(values.pods ?? '1000');
const seed = Number(values.seed ?? '45');
const traceName = values.trace ?? 'default';
const trace = loadTrace(resolve(`${DEFAULT_TRACE_DIR}/openb_node_list_gpu_node.csv`), resolve(`${DEFAULT_TRACE_DIR}/openb_pod_list_${traceName}.csv`));
const setup = seedSetup(trace, seed);
const byName = new Map(trace.nodes.map((n) => [n.name, n]));
const nodes = setup.nodes.slice(0, nodeCount).map((inv) => byName.get(inv.name)!);
const pods = setup.pods.slice(0, podCount);
const t0 = performance.now();
const stack = await startTesseraStack('node-choice-check', nodes.map(traceKwokNode));
console.log(`stack up in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${String(nodes.length)} trace nodes (${String(nodes.reduce((s, n) => s + n.gpuCount, 0))} GPUs), ${String(pods.length)} pods, seed ${String(seed)}, trace ${traceName}`);
try {
  const t1 = performance.now();
  const r = await runNodeChoiceCheck(stack, nodes, pods, 'node-choice', (k, line) => { if ((k + 1) % 100 === 0) console.log(`  ${line}`); });
  const judged = r.bound;
  console.log(`replayed in ${((performance.now() - t1) / 1000).toFixed(0)} s`);
  for (const d of r.disagreements) console.log(`  differs: ${d}`);
  console.log(`bound ${String(r.bound)}/${String(r.pods)}; kube-scheduler chose a node of the model's best total for ${String(r.agreed)}/${String(judged)} bound pods (${(100 * r.agreed / Math.max(1, judged)).toFixed(1)} %), ` +
    `unschedulable in both for ${String(r.agreedUnschedulable)}/${String(r.pods - r.bound)}; mean nodes at the best total ${r.meanBestNodes.toFixed(2)}`);
  console.log(`unallocated GPU: real ${r.realUnallocatedPct.toFixed(2)} %, model alone ${r.modelUnallocatedPct.toFixed(2)} %`);
} finally {
  await stack.stop();
}
