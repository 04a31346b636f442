import { describe, expect, it } from 'vitest';
import type { Toleration } from './gpu-request.js';
import { capacityTypeFromLabels, SPOT_TAINTS, toleratesSpotTaint } from './spot.js';

describe('capacityTypeFromLabels', () => {
  it.each([
    ['Karpenter spot', { 'karpenter.sh/capacity-type': 'spot' }, 'spot'],
    ['Karpenter on-demand', { 'karpenter.sh/capacity-type': 'on-demand' }, 'on-demand'],
    ['EKS SPOT', { 'eks.amazonaws.com/capacityType': 'SPOT' }, 'spot'],
    ['EKS ON_DEMAND', { 'eks.amazonaws.com/capacityType': 'ON_DEMAND' }, 'on-demand'],
    ['GKE Spot', { 'cloud.google.com/gke-spot': 'true' }, 'spot'],
    ['GKE preemptible', { 'cloud.google.com/gke-preemptible': 'true' }, 'spot'],
    ['GKE preemptible set to false', { 'cloud.google.com/gke-preemptible': 'false' }, 'on-demand'],
    ['AKS spot pool', { 'kubernetes.azure.com/scalesetpriority': 'spot' }, 'spot'],
    ['Tessera label', { 'tessera.io/capacity-type': 'spot' }, 'spot'],
    ['a value in another case', { 'karpenter.sh/capacity-type': 'SPOT' }, 'spot'],
    ['no labels at all', undefined, 'on-demand'],
    ['unrelated labels', { 'kubernetes.io/os': 'linux' }, 'on-demand'],
  ])('%s gives %s', (_name, labels, expected) => {
    expect(capacityTypeFromLabels(labels as Record<string, string> | undefined)).toBe(expected);
  });
});

describe('toleratesSpotTaint', () => {
  it('knows the six spot taints, each NoSchedule', () => {
    expect(SPOT_TAINTS.map((t) => `${t.key}=${t.value}:${t.effect}`)).toEqual([
      'karpenter.sh/capacity-type=spot:NoSchedule',
      'eks.amazonaws.com/capacityType=SPOT:NoSchedule',
      'cloud.google.com/gke-spot=true:NoSchedule',
      'cloud.google.com/gke-preemptible=true:NoSchedule',
      'kubernetes.azure.com/scalesetpriority=spot:NoSchedule',
      'tessera.io/capacity-type=spot:NoSchedule',
    ]);
  });

  it.each<[string, Toleration[], boolean]>([
    ['a GKE spot toleration', [{ key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }], true],
    ['an AKS spot toleration', [{ key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot' }], true],
    ['an Exists toleration of the Karpenter key', [{ key: 'karpenter.sh/capacity-type', operator: 'Exists' }], true],
    ['a wildcard Exists toleration', [{ operator: 'Exists' }], true],
    ['a toleration for another key', [{ key: 'nvidia.com/gpu', operator: 'Exists' }], false],
    ['a toleration with the wrong value', [{ key: 'karpenter.sh/capacity-type', value: 'on-demand' }], false],
    ['a NoExecute-only toleration of a NoSchedule taint', [{ key: 'cloud.google.com/gke-spot', operator: 'Exists', effect: 'NoExecute' }], false],
    ['no tolerations', [], false],
  ])('%s -> %s', (_name, tolerations, expected) => {
    expect(toleratesSpotTaint(tolerations)).toBe(expected);
  });
});
