import type { WirePod } from './wire-schemas.js';

const nonEmpty = (x: unknown): boolean => Array.isArray(x) && x.length > 0;
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * True when the pod states a scheduling preference that kube-scheduler's in-tree scores weigh: preferred node
 * affinity, preferred pod affinity or anti-affinity, or a topology spread constraint with
 * `whenUnsatisfiable: ScheduleAnyway`. For such a pod kube-scheduler must see every feasible node, so filter
 * answers all of them even in `filterAnswer: choice` mode.
 */
export function hasSoftPreferences(pod: WirePod): boolean {
  const spec: unknown = pod.spec;
  if (!isObject(spec)) return false;
  const affinity = spec['affinity'];
  if (isObject(affinity)) {
    for (const kind of ['nodeAffinity', 'podAffinity', 'podAntiAffinity']) {
      const a = affinity[kind];
      if (isObject(a) && nonEmpty(a['preferredDuringSchedulingIgnoredDuringExecution'])) return true;
    }
  }
  const spread = spec['topologySpreadConstraints'];
  return Array.isArray(spread) && spread.some((c) => isObject(c) && c['whenUnsatisfiable'] === 'ScheduleAnyway');
}
