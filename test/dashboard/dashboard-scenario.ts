import { readFileSync } from 'node:fs';
import { parseFleet, fleetNodes } from '../../src/sim/simulated-cluster-fleet.js';
import type { NodeObject } from '../../src/cluster/cache/cluster-source.js';
import { bindArgs, kubePod, namesArgs } from '../server/kube-fixtures.js';
import type { TestServer } from '../server/harness.js';

/** The dashboard's example fleet (docs/examples/dashboard/fleet.yaml) as node objects. */
export function dashboardFleetNodes(): NodeObject[] {
  const parsed = parseFleet(readFileSync(new URL('../../docs/examples/dashboard/fleet.yaml', import.meta.url), 'utf8'));
  if (!parsed.ok) throw new Error(`docs/examples/dashboard/fleet.yaml: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return fleetNodes(parsed.fleet);
}

/** One pod of the example workload. */
export interface ScenarioPod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly requests: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** The example workload: one pod of every kind of GPU request, in four teams; `big-train` fits nowhere. */
export const SCENARIO_PODS: readonly ScenarioPod[] = [
  { namespace: 'team-a', name: 'train-0', uid: '3b0e7c52-1a4f-4d8e-9c61-0000000000a1', requests: { 'nvidia.com/gpu': '4' }, annotations: { 'tessera.io/topology': 'nvlink-required', 'tessera.io/gpu-model': 'H100' } },
  { namespace: 'team-a', name: 'train-1', uid: '3b0e7c52-1a4f-4d8e-9c61-0000000000a2', requests: { 'nvidia.com/gpu': '2' }, annotations: { 'tessera.io/topology': 'nvlink-required', 'tessera.io/gpu-model': 'A100' } },
  { namespace: 'team-b', name: 'infer-0', uid: '3b0e7c52-1a4f-4d8e-9c61-0000000000b1', requests: { 'tessera.io/gpu-memory': '20Gi', 'tessera.io/gpu-compute': '250' } },
  { namespace: 'team-b', name: 'infer-1', uid: '3b0e7c52-1a4f-4d8e-9c61-0000000000b2', requests: { 'tessera.io/gpu-memory': '40Gi', 'tessera.io/gpu-compute': '500' } },
  { namespace: 'team-c', name: 'notebook-0', uid: '3b0e7c52-1a4f-4d8e-9c61-0000000000c1', requests: { 'tessera.io/mig-3g.40gb': '1' } },
  { namespace: 'team-c', name: 'notebook-1', uid: '3b0e7c52-1a4f-4d8e-9c61-0000000000c2', requests: { 'tessera.io/mig-1g.10gb': '1' } },
  { namespace: 'team-d', name: 'batch-0', uid: '3b0e7c52-1a4f-4d8e-9c61-0000000000d1', requests: { 'tessera.io/gpu-replica': '2' }, annotations: { 'tessera.io/interruptible': 'true' } },
];

/** A pod no node of the example fleet can hold (8 A100s; the A100 nodes have 4). */
export const UNPLACEABLE_POD: ScenarioPod = {
  namespace: 'team-e', name: 'big-train', uid: '3b0e7c52-1a4f-4d8e-9c61-0000000000e1', requests: { 'nvidia.com/gpu': '8' }, annotations: { 'tessera.io/gpu-model': 'A100' },
};

/** The core/v1 Pod kube-scheduler would send for `p`. */
export function scenarioKubePod(p: ScenarioPod): Record<string, unknown> {
  return kubePod({ name: p.name, namespace: p.namespace, uid: p.uid, requests: p.requests, ...(p.annotations ? { annotations: p.annotations } : {}) });
}

/**
 * Schedules `p` as kube-scheduler would with Tessera as its only scorer: filter over `nodes`, prioritize the
 * survivors, bind to the best-scored (the first on ties). Returns the node, or null when filter left none (the
 * pod then shows as pending).
 */
export async function schedulePod(t: TestServer, p: ScenarioPod, nodes: readonly string[]): Promise<string | null> {
  const pod = scenarioKubePod(p);
  const filtered = await t.post('/scheduler/filter', namesArgs(pod, nodes));
  if (filtered.status !== 200) throw new Error(`filter ${p.namespace}/${p.name}: HTTP ${filtered.status}: ${filtered.text}`);
  const survivors = (filtered.json as { NodeNames: string[] | null }).NodeNames ?? [];
  if (survivors.length === 0) return null;
  const scored = await t.post('/scheduler/prioritize', namesArgs(pod, survivors));
  const scores = scored.json as { Host: string; Score: number }[];
  const best = scores.reduce((a, b) => (b.Score > a.Score ? b : a));
  const bound = await t.post('/scheduler/bind', bindArgs(pod, best.Host));
  const error = (bound.json as { Error: string }).Error;
  if (error !== '') throw new Error(`bind ${p.namespace}/${p.name} to ${best.Host}: ${error}`);
  return best.Host;
}
