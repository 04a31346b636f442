/**
 * Tessera's memory at fleet scale, offline (no apiserver): the throughput bench's KWOK fleet (throughput-fleet.ts)
 * and bound pods of its mix, fed through the same path `serve` takes with `--cluster kube`, then the figures.
 *
 *   node --expose-gc --import tsx bench/memory-at-scale.ts [--nodes 20000] [--pods 5000] [--snapshot FILE]
 *
 * Nodes are JSON-parsed in pages of 500 as the node informer reads a list, cut down by the kube source's
 * `schedulingView` and upserted into the server's sink (deploy/'s settings: filter answers Tessera's choice,
 * nominations for tessera-scheduler, node totals published). Pods arrive pending (JSON-parsed as the pod
 * informer reads them) in batches of 50, as kube-scheduler would see them: the nominator nominates them, each is
 * filtered (names-only: its nominated node, or every node) and bound through the service, the bind reporting it bound with its
 * allocation annotation, as the watch would. Then it forces GC and prints heapUsed, external, arrayBuffers and RSS
 * (before any node, after the nodes, after the pods), and bytes per node. `--snapshot FILE` writes a heap snapshot
 * at the end, `--snapshot-nodes FILE` one after the nodes; `node --max-old-space-size=4000 bench/heap-retainers.mjs
 * FILE` prints what each structure retains, `node bench/heap-summary.mjs FILE` the self size per constructor.
 * Asserts nothing. docs/throughput.md ("Memory") has the figures.
 */
import { randomUUID } from 'node:crypto';
import { writeHeapSnapshot } from 'node:v8';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { DEFAULT_SCHEDULING_OPTIONS } from '../src/algorithm/scheduling-options.js';
import type { ClusterSink, ClusterSource, NodeObject, PodBinding, PodObject, PodRef } from '../src/cluster/cache/cluster-source.js';
import { schedulingView } from '../src/cluster/kube/scheduling-view.js';
import { DEFAULT_CONFIG } from '../src/config/config-schema.js';
import { createModelParsers } from '../src/server/model-parsers.js';
import { startTesseraServer } from '../src/server/tessera-server.js';
import type { WirePod } from '../src/server/wire-schemas.js';
import { throughputFleet, throughputNodeObject, throughputPod } from '../test/e2e/harness/throughput-fleet.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => (argv.includes(name) ? (argv[argv.indexOf(name) + 1] ?? fallback) : fallback);
const nodeCount = Number(flag('--nodes', '20000'));
const podCount = Number(flag('--pods', '5000'));
const snapshotFile = argv.includes('--snapshot') ? flag('--snapshot', 'memory-at-scale.heapsnapshot') : null;
/** A heap snapshot after the nodes, before any pod. */
const nodesSnapshotFile = argv.includes('--snapshot-nodes') ? flag('--snapshot-nodes', 'memory-at-scale-nodes.heapsnapshot') : null;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (see the header)');

const MiB = 1024 * 1024;
interface Figures { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; rss: number }
function measure(): Figures {
  for (let i = 0; i < 4; i += 1) gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss };
}
function line(label: string, f: Figures): string {
  const mb = (n: number): string => (n / MiB).toFixed(1).padStart(7);
  return `${label.padEnd(22)} heapUsed ${mb(f.heapUsed)} MiB  heapTotal ${mb(f.heapTotal)} MiB  external ${mb(f.external)} MiB  arrayBuffers ${mb(f.arrayBuffers)} MiB  rss ${mb(f.rss)} MiB`;
}

/** A node as kube-apiserver serves a KWOK node: the fleet's object plus server-set metadata and node status. */
function servedNode(node: V1Node, rv: number): V1Node {
  return {
    ...node,
    metadata: {
      ...node.metadata, uid: randomUUID(), resourceVersion: String(rv), creationTimestamp: new Date(0),
      managedFields: [{ manager: 'kwok', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } }],
    },
    spec: {},
    status: {
      ...node.status,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: new Date(0), lastTransitionTime: new Date(0) }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      nodeInfo: { architecture: 'amd64', bootID: '', containerRuntimeVersion: 'kwok', kernelVersion: '', kubeProxyVersion: 'kwok', kubeletVersion: 'kwok', machineID: '', operatingSystem: 'linux', osImage: '', systemUUID: '' },
    },
  };
}

const binds = new Map<string, PodObject>();
const nominated = new Map<string, string>();
let sink: ClusterSink | null = null;
/** The scheduling view of each node, the only copy the kube source keeps. */
const nodes = new Map<string, NodeObject>();
const source: ClusterSource = {
  kind: 'kube',
  start(target) {
    sink = target;
    return Promise.resolve();
  },
  bind(binding: PodBinding) {
    const pod = binds.get(binding.uid);
    if (pod === undefined) return Promise.reject(new Error(`unknown pod ${binding.uid}`));
    // What the pod watch reports after the binding: the node and the annotations on the pod.
    const bound = JSON.parse(JSON.stringify({
      ...pod,
      metadata: { ...pod.metadata, resourceVersion: `${pod.metadata?.resourceVersion ?? ''}1`, annotations: { ...pod.metadata?.annotations, ...binding.annotations } },
      spec: { ...pod.spec, nodeName: binding.node },
      status: { phase: 'Running' },
    })) as PodObject;
    queueMicrotask(() => sink?.upsertPod(bound));
    return Promise.resolve();
  },
  nominate(pod: PodRef, node: string) {
    nominated.set(pod.uid, node);
    return Promise.resolve();
  },
  nodeCapacity(node, names) {
    const capacity = ((nodes.get(node)?.status as { capacity?: Record<string, string> } | null | undefined)?.capacity ?? {});
    return Object.fromEntries(names.filter((n) => capacity[n] !== undefined).map((n) => [n, capacity[n] as string]));
  },
  publishNodeCapacity(node, resources) {
    const n = nodes.get(node);
    if (n === undefined) return Promise.resolve();
    // The patched node as the watch reports it (JSON-parsed), cut down as the kube source does.
    const status = n.status as { capacity?: Record<string, string> } | null | undefined;
    const capacity = { ...status?.capacity, ...resources };
    const patched = { ...n, metadata: { ...n.metadata, resourceVersion: `${n.metadata?.resourceVersion ?? ''}0` }, status: { capacity, allocatable: capacity } };
    const view = schedulingView(JSON.parse(JSON.stringify(patched)) as V1Node);
    nodes.set(node, view);
    queueMicrotask(() => sink?.upsertNode(view));
    return Promise.resolve();
  },
  stop: () => Promise.resolve(),
};

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let rv = 1000;

/** Lists the fleet into `target` in pages as the node informer does; returns the names (the fleet itself is dropped). */
async function feedNodes(target: ClusterSink): Promise<string[]> {
  const fleet = throughputFleet(nodeCount);
  for (let i = 0; i < fleet.length; i += 500) {
    const page = fleet.slice(i, i + 500).map((spec) => servedNode(throughputNodeObject(spec), (rv += 1)));
    for (const item of (JSON.parse(JSON.stringify({ items: page })) as { items: V1Node[] }).items) {
      const view = schedulingView(item);
      nodes.set(item.metadata?.name ?? '', view);
      target.upsertNode(view);
    }
    await tick();
  }
  return fleet.map((n) => n.name);
}

async function main(): Promise<void> {
  const parsers = createModelParsers();
  const start = measure();
  const server = await startTesseraServer({
    config: { ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, opsPort: 0, filterAnswer: 'choice', nominateFor: ['tessera-scheduler'] },
    source, options: DEFAULT_SCHEDULING_OPTIONS, parseNode: parsers.parseNode, parseAllocation: parsers.parseAllocation,
    historyIntervalMs: 0,
  });
  const target = sink as ClusterSink | null;
  if (target === null) throw new Error('the source was not started');
  const names = await feedNodes(target);
  target.markSynced();
  // Let the capacity publisher run over every node (deploy/ publishes GPU totals).
  for (let i = 0; i < 200; i += 1) await tick();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const afterNodes = measure();
  if (nodesSnapshotFile !== null) process.stdout.write(`heap snapshot after the nodes: ${writeHeapSnapshot(nodesSnapshotFile)}\n`);

  let boundCount = 0;
  let filtered = 0;
  for (let i = 0; i < podCount; i += 50) {
    const batch: V1Pod[] = [];
    for (let j = i; j < Math.min(podCount, i + 50); j += 1) {
      const pod = throughputPod(j, 'bench', 'tessera');
      batch.push({ ...pod, metadata: { ...pod.metadata, uid: randomUUID(), resourceVersion: String((rv += 1)) }, status: { phase: 'Pending' } });
    }
    const parsed = (JSON.parse(JSON.stringify({ items: batch })) as { items: V1Pod[] }).items;
    for (const pod of parsed) {
      binds.set(pod.metadata?.uid ?? '', pod as PodObject);
      target.upsertPod(pod as PodObject);
    }
    for (let k = 0; k < 20; k += 1) await tick();
    for (const pod of parsed) {
      const uid = pod.metadata?.uid ?? '';
      const node = nominated.get(uid);
      const result = server.service.filter({ Pod: pod as unknown as WirePod, NodeNames: node === undefined ? names : [node] });
      filtered += 1;
      const chosen = result.NodeNames?.[0];
      if (chosen === undefined) continue;
      const answer = await server.service.bind({ PodName: pod.metadata?.name ?? '', PodNamespace: 'bench', PodUID: uid, Node: chosen });
      if (answer.Error === undefined || answer.Error === '') boundCount += 1;
    }
    for (let k = 0; k < 5; k += 1) await tick();
    binds.clear();
  }
  const afterPods = measure();
  const n = nodeCount;
  process.stdout.write(`memory at scale: ${String(n)} nodes (${String(server.cache.nodeCount)} cached), ${String(podCount)} pods (${String(boundCount)} bound, ${String(nominated.size)} nominated, ${String(filtered)} filtered)\n`);
  process.stdout.write(`${line('start', start)}\n${line('after nodes', afterNodes)}\n${line('after pods', afterPods)}\n`);
  const perNode = (a: number, b: number): string => `${((a - b) / n).toFixed(0)} B/node`;
  process.stdout.write(`per node: heapUsed ${perNode(afterNodes.heapUsed, start.heapUsed)}, rss ${perNode(afterNodes.rss, start.rss)}; pods add heapUsed ${((afterPods.heapUsed - afterNodes.heapUsed) / MiB).toFixed(1)} MiB\n`);
  if (snapshotFile !== null) process.stdout.write(`heap snapshot: ${writeHeapSnapshot(snapshotFile)}\n`);
  await server.close(0);
}

await main();
