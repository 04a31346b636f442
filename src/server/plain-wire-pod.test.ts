import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kubePod } from '../../test/server/kube-fixtures.js';
import { isPlainWirePod } from './plain-wire-pod.js';
import { PodSchema } from './wire-schemas.js';

/** Any JSON value, or one of the shapes a pod field usually has. */
const anyValue = fc.oneof(
  fc.constant(null), fc.constant(undefined), fc.string(), fc.constant(''), fc.integer(), fc.double(), fc.boolean(),
  fc.constant([]), fc.constant({}), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxKeys: 2 }),
);

/** A pod whose fields at random places are replaced by arbitrary values. */
const mutatedPod = fc.record({
  path: fc.constantFrom(
    [], ['metadata'], ['metadata', 'name'], ['metadata', 'namespace'], ['metadata', 'uid'], ['metadata', 'resourceVersion'],
    ['metadata', 'labels'], ['metadata', 'annotations'], ['spec'], ['spec', 'containers'], ['spec', 'containers', 0],
    ['spec', 'containers', 0, 'name'], ['spec', 'containers', 0, 'resources'], ['spec', 'containers', 0, 'resources', 'requests'],
    ['spec', 'containers', 0, 'resources', 'limits'], ['spec', 'containers', 0, 'resources', 'requests', 'nvidia.com/gpu'],
    ['spec', 'initContainers'], ['spec', 'tolerations'], ['spec', 'tolerations', 0], ['spec', 'priority'], ['spec', 'schedulerName'],
    ['spec', 'nodeName'], ['status'], ['metadata', 'labels', 'app'],
  ),
  value: anyValue,
}).map(({ path, value }) => {
  const pod = JSON.parse(JSON.stringify(kubePod({ name: 'p', uid: 'u', requests: { 'nvidia.com/gpu': '1' }, annotations: { a: 'b' } }))) as Record<string, unknown>;
  if (path.length === 0) return value;
  let at: Record<string | number, unknown> = pod;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== 'object' || next === null) return pod;
    at = next as Record<string | number, unknown>;
  }
  at[path[path.length - 1] as string | number] = value;
  return pod;
});

describe('isPlainWirePod', () => {
  it('says yes to the pods kube-scheduler sends', () => {
    expect(isPlainWirePod(kubePod({ name: 'p', uid: 'u', requests: { 'nvidia.com/gpu': '1' } }))).toBe(true);
    expect(isPlainWirePod(JSON.parse(JSON.stringify(kubePod({ name: 'p', uid: 'u', requests: { 'tessera.io/gpu-memory': '8192' }, priority: 7 }))))).toBe(true);
  });

  it('only ever says yes to what PodSchema accepts', () => {
    fc.assert(fc.property(mutatedPod, (pod) => {
      if (isPlainWirePod(pod)) expect(PodSchema.safeParse(pod).success).toBe(true);
    }), { numRuns: 3000 });
  });

  it.each([
    ['an empty name', { metadata: { name: '' } }],
    ['a numeric label', { metadata: { name: 'p', labels: { a: 1 } } }],
    ['containers that are not a list', { metadata: { name: 'p' }, spec: { containers: 'main' } }],
    ['a fractional priority', { metadata: { name: 'p' }, spec: { priority: 1.5 } }],
    ['a boolean quantity', { metadata: { name: 'p' }, spec: { containers: [{ resources: { requests: { 'nvidia.com/gpu': true } } }] } }],
  ])('says no to %s (the schema then names the problem)', (_what, pod) => {
    expect(isPlainWirePod(pod)).toBe(false);
    expect(PodSchema.safeParse(pod).success).toBe(false);
  });
});
