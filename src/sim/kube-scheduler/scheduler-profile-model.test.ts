import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schedulerProfileModel, schedulerProfileModelFromFile } from './scheduler-profile-model.js';

const config = (profile: string, extender = 'weight: 5'): string => `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
${profile}
extenders:
  - urlPrefix: http://127.0.0.1:8888/scheduler
    prioritizeVerb: prioritize
    ${extender}
`;

describe('schedulerProfileModel', () => {
  it("reads deploy/scheduler-config.yaml: the extender's weight, MostAllocated fit, no BalancedAllocation", () => {
    const m = schedulerProfileModelFromFile(resolve(import.meta.dirname, '../../../deploy/scheduler-config.yaml'));
    expect(m).toEqual({
      schedulerName: 'tessera-scheduler',
      extenderWeight: 20,
      fit: { weight: 1, strategy: 'MostAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] },
      balanced: null,
      managedResources: 'all',
    });
  });

  it('takes kube-scheduler defaults for a bare profile: LeastAllocated over cpu and memory, BalancedAllocation on, weight 1 each', () => {
    const m = schedulerProfileModel(config('  - schedulerName: tessera-scheduler'));
    expect(m.fit).toEqual({ weight: 1, strategy: 'LeastAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] });
    expect(m.balanced).toEqual({ weight: 1, resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] });
    expect(m.extenderWeight).toBe(5);
    expect(m.managedResources).toBe('all');
    const managed = schedulerProfileModel(config('  - schedulerName: tessera-scheduler', 'weight: 5\n    managedResources: [{name: nvidia.com/gpu, ignoredByScheduler: true}]'));
    expect(managed.managedResources).toEqual(['nvidia.com/gpu']);
  });

  it('honours enabled weights, disabled plugins and "*"', () => {
    const weighted = schedulerProfileModel(config(`  - schedulerName: tessera-scheduler
    plugins:
      score:
        enabled: [{name: NodeResourcesFit, weight: 4}]
        disabled: [{name: NodeResourcesBalancedAllocation}]`));
    expect(weighted.fit?.weight).toBe(4);
    expect(weighted.balanced).toBeNull();
    const none = schedulerProfileModel(config(`  - schedulerName: tessera-scheduler
    plugins:
      score:
        disabled: [{name: '*'}]`));
    expect(none.fit).toBeNull();
    expect(none.balanced).toBeNull();
  });

  it.each([
    ['no such profile', config('  - schedulerName: other'), 'no profile named "tessera-scheduler"'],
    ['no prioritizing extender', config('  - schedulerName: tessera-scheduler', 'weight: 5\n    prioritizeVerb: ""'), 'no extender with a prioritizeVerb'],
    ['a strategy that is not modelled', config(`  - schedulerName: tessera-scheduler
    pluginConfig:
      - name: NodeResourcesFit
        args: {scoringStrategy: {type: RequestedToCapacityRatio}}`), 'RequestedToCapacityRatio is not modelled'],
    ['no configuration at all', 'kind: ConfigMap\ndata: {}\n', 'no KubeSchedulerConfiguration'],
  ])('refuses %s with a reason', (_name, text, message) => {
    expect(() => schedulerProfileModel(text)).toThrow(message);
  });
});
