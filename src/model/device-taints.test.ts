import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatDeviceTaints, parseDeviceTaints, toleratesDeviceTaints, toleratesTaint, untoleratedTaints,
} from './device-taints.js';
import type { DeviceTaint } from './gpu-device.js';
import type { Toleration } from './gpu-request.js';

const PATH = 'metadata.annotations["tessera.io/gpu-taints"]';
const unhealthy: DeviceTaint = { key: 'unhealthy', value: 'true', effect: 'NoSchedule' };
const team: DeviceTaint = { key: 'team', value: 'ml', effect: 'NoSchedule' };

describe('parseDeviceTaints', () => {
  it.each([
    ['the documented example taints GPUs 0 and 1 and GPU 3', '0,1:unhealthy=true:NoSchedule;3:team=ml:NoSchedule', 4,
      [[unhealthy], [unhealthy], [], [team]]],
    ['a range covers every index in it', '1-2:unhealthy=true:NoSchedule', 3, [[], [unhealthy], [unhealthy]]],
    ['"*" covers every GPU', '*:team=ml:NoSchedule', 2, [[team], [team]]],
    ['a key without value has an empty value', '0:maintenance:NoExecute', 1, [[{ key: 'maintenance', value: '', effect: 'NoExecute' }]]],
    ['a prefixed key is accepted', '0:example.com/reserved=a_b.c:PreferNoSchedule', 1,
      [[{ key: 'example.com/reserved', value: 'a_b.c', effect: 'PreferNoSchedule' }]]],
    ['whitespace and empty entries are ignored', ' 0 : team=ml : NoSchedule ; ; ', 1, [[team]]],
    ['an empty annotation taints nothing', '', 2, [[], []]],
    ['two taints on one GPU are kept in order', '0:unhealthy=true:NoSchedule;0:team=ml:NoSchedule', 1, [[unhealthy, team]]],
  ])('%s', (_name, text, count, expected) => {
    expect(parseDeviceTaints(text, count, PATH)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['a missing effect', '0:team=ml', 4, 'entry 1 "0:team=ml" at character 1: expected "<gpus>:<key>[=<value>]:<effect>", found 1'],
    ['an unknown effect', '0:a=b:NoSchedule;3:team=ml:NoSched', 4, 'entry 2 "3:team=ml:NoSched" at character 18: unknown effect "NoSched"'],
    ['an index beyond the node\'s GPUs', '0,8:team=ml:NoSchedule', 4, 'GPU index 8 out of range: the node has 4 GPUs'],
    ['a non-numeric index', 'a:team=ml:NoSchedule', 4, 'bad GPU index "a"'],
    ['a backwards range', '3-1:team=ml:NoSchedule', 4, 'bad GPU range "3-1": start is after end'],
    ['an empty GPU list', ':team=ml:NoSchedule', 4, 'empty GPU list'],
    ['an invalid key', '0:bad key=1:NoSchedule', 4, 'bad taint key "bad key"'],
    ['an empty key', '0:=1:NoSchedule', 4, 'empty taint key'],
    ['an invalid value', '0:team=m l:NoSchedule', 4, 'bad taint value: value "m l"'],
    ['a duplicate key and effect on one GPU', '0:team=a:NoSchedule;0:team=b:NoSchedule', 4, 'GPU 0 already has a taint with key "team" and effect NoSchedule'],
  ])('reports %s with its position', (_name, text, count, message) => {
    const r = parseDeviceTaints(text, count, PATH);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]?.path).toBe(PATH);
      expect(r.errors[0]?.message).toContain(message);
    }
  });

  it('reports every bad entry, not just the first', () => {
    const r = parseDeviceTaints('x:a=b:NoSchedule;0:a=b:Bad', 2, PATH);
    expect(r.ok ? 0 : r.errors.length).toBe(2);
  });

  it('round-trips through formatDeviceTaints (property)', () => {
    const taint = fc.record({
      key: fc.constantFrom('unhealthy', 'team', 'example.com/x', 'a.b_c-d'),
      value: fc.constantFrom('', 'true', 'ml', 'v1.2'),
      effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute') as fc.Arbitrary<DeviceTaint['effect']>,
    });
    const perGpu = fc.array(fc.uniqueArray(taint, { selector: (t) => `${t.key}:${t.effect}`, maxLength: 3 }), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(perGpu, (gpus) => {
      expect(parseDeviceTaints(formatDeviceTaints(gpus), gpus.length, PATH)).toEqual({ ok: true, value: gpus });
    }));
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(fc.property(fc.string(), fc.integer({ min: 0, max: 16 }), (text, n) => {
      expect(typeof parseDeviceTaints(text, n, PATH).ok).toBe('boolean');
    }));
  });
});

describe('toleratesTaint', () => {
  it.each<[string, Toleration, boolean]>([
    ['Equal with the same key and value tolerates', { key: 'team', operator: 'Equal', value: 'ml' }, true],
    ['the default operator is Equal', { key: 'team', value: 'ml' }, true],
    ['Equal with another value does not tolerate', { key: 'team', operator: 'Equal', value: 'web' }, false],
    ['Exists ignores the value', { key: 'team', operator: 'Exists' }, true],
    ['Exists without a key tolerates every taint', { operator: 'Exists' }, true],
    ['a matching effect tolerates', { key: 'team', operator: 'Exists', effect: 'NoSchedule' }, true],
    ['another effect does not tolerate', { key: 'team', operator: 'Exists', effect: 'NoExecute' }, false],
    ['another key does not tolerate', { key: 'other', operator: 'Exists' }, false],
  ])('%s', (_name, tol, expected) => {
    expect(toleratesTaint(tol, team)).toBe(expected);
  });

  it('lets PreferNoSchedule taints through and reports the hard taints not tolerated', () => {
    const soft: DeviceTaint = { key: 'soft', value: '', effect: 'PreferNoSchedule' };
    expect(untoleratedTaints([], [soft, team, unhealthy])).toEqual([team, unhealthy]);
    expect(untoleratedTaints([{ key: 'team', operator: 'Exists' }], [soft, team, unhealthy])).toEqual([unhealthy]);
    expect(toleratesDeviceTaints([], [soft])).toBe(true);
    expect(toleratesDeviceTaints([{ key: 'team', value: 'ml' }], [team])).toBe(true);
    expect(toleratesDeviceTaints([], [team])).toBe(false);
  });
});
