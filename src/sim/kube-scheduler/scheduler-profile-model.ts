import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { ResourceSpec } from './in-tree-scores.js';

/**
 * What the replay needs to choose nodes as kube-scheduler does for one profile of a KubeSchedulerConfiguration:
 * the extender's weight and the node-resource score plugins that are on, with their weights and arguments.
 * Other default score plugins (TaintToleration, NodeAffinity, PodTopologySpread, InterPodAffinity,
 * ImageLocality) give every replayed node the same score, because replayed pods have no tolerations, affinities,
 * spread constraints or images, so they are left out.
 */
export interface SchedulerProfileModel {
  readonly schedulerName: string;
  /** The extender's `weight`: each extender point counts score x weight x 10. */
  readonly extenderWeight: number;
  /** NodeResourcesFit's score (null when disabled in the profile). */
  readonly fit: { readonly weight: number; readonly strategy: 'LeastAllocated' | 'MostAllocated'; readonly resources: readonly ResourceSpec[] } | null;
  /** NodeResourcesBalancedAllocation's score (null when disabled). */
  readonly balanced: { readonly weight: number; readonly resources: readonly ResourceSpec[] } | null;
  /**
   * The extender's managedResources: 'all' when it lists none (kube-scheduler then calls it for every pod of the
   * process), else the names a pod must request for the extender to be called (`IsInterested`).
   */
  readonly managedResources: 'all' | readonly string[];
}

/** `default_plugins.go` weights of the two modelled plugins, and their default resources (`defaults.go`). */
const DEFAULT_WEIGHTS = { NodeResourcesFit: 1, NodeResourcesBalancedAllocation: 1 } as const;
const DEFAULT_RESOURCES: readonly ResourceSpec[] = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];

type Rec = Record<string, unknown>;
const isRec = (x: unknown): x is Rec => typeof x === 'object' && x !== null && !Array.isArray(x);
const list = (x: unknown): Rec[] => (Array.isArray(x) ? x.filter(isRec) : []);

/**
 * Reads the profile `schedulerName` from a KubeSchedulerConfiguration given as YAML text (a ConfigMap that
 * holds one under `data`, as deploy/scheduler-config.yaml is, or the bare configuration). Throws with what is
 * missing when the text has no such profile or no extender with a prioritize verb.
 */
export function schedulerProfileModel(yamlText: string, schedulerName = 'tessera-scheduler'): SchedulerProfileModel {
  let config: Rec | null = null;
  for (const doc of parseAllDocuments(yamlText)) {
    const value: unknown = doc.toJS();
    if (!isRec(value)) continue;
    if (value['kind'] === 'KubeSchedulerConfiguration') config = value;
    else if (value['kind'] === 'ConfigMap' && isRec(value['data'])) {
      for (const text of Object.values(value['data'])) {
        if (typeof text !== 'string') continue;
        const inner: unknown = parseAllDocuments(text)[0]?.toJS();
        if (isRec(inner) && inner['kind'] === 'KubeSchedulerConfiguration') config = inner;
      }
    }
  }
  if (config === null) throw new Error('cannot model kube-scheduler: no KubeSchedulerConfiguration in the file');
  const extender = list(config['extenders']).find((e) => typeof e['prioritizeVerb'] === 'string' && e['prioritizeVerb'] !== '');
  if (extender === undefined) throw new Error('cannot model kube-scheduler: no extender with a prioritizeVerb');
  const weight = Number(extender['weight']);
  if (!(weight > 0)) throw new Error(`cannot model kube-scheduler: extender weight must be positive, got ${String(extender['weight'])}`);
  const profile = list(config['profiles']).find((p) => (p['schedulerName'] ?? 'default-scheduler') === schedulerName);
  if (profile === undefined) throw new Error(`cannot model kube-scheduler: no profile named "${schedulerName}"`);

  const plugins = isRec(profile['plugins']) ? profile['plugins'] : {};
  const weights = new Map<string, number>(Object.entries(DEFAULT_WEIGHTS));
  for (const set of [plugins['multiPoint'], plugins['score']]) {
    if (!isRec(set)) continue;
    for (const d of list(set['disabled'])) {
      if (d['name'] === '*') weights.clear();
      else weights.delete(String(d['name']));
    }
    for (const e of list(set['enabled'])) {
      const name = String(e['name']);
      const w = e['weight'] === undefined ? (DEFAULT_WEIGHTS as Record<string, number>)[name] ?? 1 : Number(e['weight']);
      weights.set(name, w);
    }
  }
  const args = (name: string): Rec => {
    const entry = list(profile['pluginConfig']).find((c) => c['name'] === name);
    return entry !== undefined && isRec(entry['args']) ? entry['args'] : {};
  };
  const resources = (x: unknown): readonly ResourceSpec[] => {
    const r = list(x).map((s) => ({ name: String(s['name']), weight: s['weight'] === undefined || Number(s['weight']) === 0 ? 1 : Number(s['weight']) }));
    return r.length === 0 ? DEFAULT_RESOURCES : r;
  };
  const fitWeight = weights.get('NodeResourcesFit');
  const strategy = isRec(args('NodeResourcesFit')['scoringStrategy']) ? args('NodeResourcesFit')['scoringStrategy'] as Rec : {};
  const type = strategy['type'] ?? 'LeastAllocated';
  if (type !== 'LeastAllocated' && type !== 'MostAllocated') {
    throw new Error(`cannot model kube-scheduler: NodeResourcesFit scoringStrategy ${String(type)} is not modelled (LeastAllocated, MostAllocated are)`);
  }
  const balancedWeight = weights.get('NodeResourcesBalancedAllocation');
  const managed = list(extender['managedResources']).map((r) => String(r['name']));
  return {
    schedulerName,
    extenderWeight: weight,
    managedResources: managed.length === 0 ? 'all' : managed,
    fit: fitWeight === undefined || fitWeight === 0 ? null : { weight: fitWeight, strategy: type, resources: resources(strategy['resources']) },
    balanced: balancedWeight === undefined || balancedWeight === 0 ? null
      : { weight: balancedWeight, resources: resources(args('NodeResourcesBalancedAllocation')['resources']) },
  };
}

/** schedulerProfileModel of a file (deploy/scheduler-config.yaml by default in the replay). */
export function schedulerProfileModelFromFile(file: string, schedulerName?: string): SchedulerProfileModel {
  return schedulerProfileModel(readFileSync(file, 'utf8'), schedulerName);
}
