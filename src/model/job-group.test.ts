import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseJobGroup, type GroupPodLike } from './job-group.js';

const pod = (annotations: Record<string, string>) => ({ metadata: { namespace: 'ml', annotations } });

describe('parseJobGroup', () => {
  it.each([
    [{}, null],
    [{ 'tessera.io/group': 'train' }, { key: 'ml/train', name: 'train', minSize: null, locality: null }],
    [{ 'tessera.io/group': 'train', 'tessera.io/group-min-size': '8' }, { key: 'ml/train', name: 'train', minSize: 8, locality: null }],
    [{ 'tessera.io/group': 'train', 'tessera.io/group-min-size': ' 1 ', 'tessera.io/group-locality': 'zone' }, { key: 'ml/train', name: 'train', minSize: 1, locality: 'zone' }],
  ])('reads %j', (annotations, want) => {
    expect(parseJobGroup(pod(annotations))).toEqual({ ok: true, value: want });
  });

  it.each([
    [{ 'tessera.io/group': 'g', 'tessera.io/group-min-size': '0' }, 'tessera.io/group-min-size', 'expected an integer from 1 to 10000'],
    [{ 'tessera.io/group': 'g', 'tessera.io/group-min-size': '-3' }, 'tessera.io/group-min-size', 'expected an integer from 1 to 10000'],
    [{ 'tessera.io/group': 'g', 'tessera.io/group-min-size': '2.5' }, 'tessera.io/group-min-size', 'expected an integer'],
    [{ 'tessera.io/group': 'g', 'tessera.io/group-min-size': 'eight' }, 'tessera.io/group-min-size', '"eight"'],
    [{ 'tessera.io/group': 'g', 'tessera.io/group-min-size': '100000' }, 'tessera.io/group-min-size', 'expected an integer from 1 to 10000'],
    [{ 'tessera.io/group-min-size': '4' }, 'tessera.io/group-min-size', 'without tessera.io/group'],
    [{ 'tessera.io/group': 'g', 'tessera.io/group-locality': 'datacenter' }, 'tessera.io/group-locality', 'expected one of node, clique, rack, zone'],
  ])('rejects %j, naming %s', (annotations, path, message) => {
    const r = parseJobGroup(pod(annotations));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]?.path).toBe(`metadata.annotations["${path}"]`);
    expect(r.errors[0]?.message).toContain(message);
  });
});

describe('docs/examples/pod-job-group-member.yaml', () => {
  it('is one of 8 pods bound together in one zone', () => {
    const pod = parse(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'examples', 'pod-job-group-member.yaml'), 'utf8')) as GroupPodLike;
    expect(parseJobGroup(pod)).toEqual({ ok: true, value: { key: 'ml/llama-pretrain-7', name: 'llama-pretrain-7', minSize: 8, locality: 'zone' } });
  });
});
