import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClusterSource } from '../cluster/cache/cluster-source.js';
import type { Logger } from '../telemetry/logger.js';
import { SimulatedCluster } from '../sim/simulated-cluster.js';
import { DEFAULT_FLEET, fleetNodes, parseFleet } from '../sim/simulated-cluster-fleet.js';
import type { Config } from './config-schema.js';
import type { ConfigIssue } from './load-config.js';
import type * as KubeClusterSourceModuleNs from '../cluster/kube/kube-cluster-source.js';

type KubeClusterSourceModule = typeof KubeClusterSourceModuleNs;

/** The chosen cluster source, or every problem found (startup exits 2). */
export type SourceResult =
  | { readonly ok: true; readonly source: ClusterSource; readonly description: string }
  | { readonly ok: false; readonly errors: readonly ConfigIssue[] };

/**
 * Picks the cluster: `sim` (built-in fleet), `sim:<file>` (fleet file), `kube`, or `auto` = kube when a
 * kubeconfig (config, KUBECONFIG, ~/.kube/config) or an in-cluster service account exists, else sim.
 */
export async function selectClusterSource(config: Config, env: Readonly<Record<string, string | undefined>>, log: Logger): Promise<SourceResult> {
  let mode = config.cluster;
  const kubeconfig = findKubeconfig(config, env);
  if (mode === 'auto') mode = kubeconfig.found ? 'kube' : 'sim';
  if (mode === 'sim') {
    return { ok: true, source: new SimulatedCluster(fleetNodes(DEFAULT_FLEET)), description: 'simulated cluster (built-in fleet)' };
  }
  if (mode.startsWith('sim:')) {
    const file = mode.slice(4);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      return { ok: false, errors: [{ path: 'cluster', message: `cannot read fleet file ${JSON.stringify(file)}: ${(err as Error).message}` }] };
    }
    const fleet = parseFleet(text);
    if (!fleet.ok) {
      return { ok: false, errors: fleet.errors.map((e) => ({ path: `cluster (fleet file ${JSON.stringify(file)}) ${e.path}`, message: e.message })) };
    }
    return { ok: true, source: new SimulatedCluster(fleetNodes(fleet.fleet)), description: `simulated cluster from ${file}` };
  }
  // Loaded lazily so standalone mode never loads @kubernetes/client-node.
  let mod: KubeClusterSourceModule;
  try {
    mod = await import('../cluster/kube/kube-cluster-source.js');
  } catch (err) {
    return { ok: false, errors: [{ path: 'cluster', message: `cannot load the Kubernetes cluster source: ${(err as Error).message}` }] };
  }
  try {
    const source = await mod.createKubeClusterSource({ kubeconfig: kubeconfig.path, log });
    return { ok: true, source, description: `Kubernetes (${kubeconfig.path ?? 'in-cluster'})` };
  } catch (err) {
    return { ok: false, errors: [{ path: 'kubeconfig', message: `cannot connect to Kubernetes: ${(err as Error).message}` }] };
  }
}

function findKubeconfig(config: Config, env: Readonly<Record<string, string | undefined>>): { found: boolean; path: string | null } {
  if (config.kubeconfig !== null) return { found: true, path: config.kubeconfig };
  const fromEnv = env.KUBECONFIG;
  if (fromEnv !== undefined && fromEnv !== '' && existsSync(fromEnv.split(':')[0] ?? '')) return { found: true, path: fromEnv };
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return { found: true, path: home };
  if (env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_HOST !== '') return { found: true, path: null };
  return { found: false, path: null };
}
