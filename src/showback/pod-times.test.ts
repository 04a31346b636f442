import { describe, expect, it } from 'vitest';
import type { PodObject } from '../cluster/cache/cluster-source.js';
import { podBindTime, podEndTime } from './pod-times.js';

const pod = (status: object): PodObject => ({ metadata: { uid: 'u' }, status } as PodObject);

describe('podBindTime()', () => {
  it('reads the PodScheduled=True condition the binding wrote', () => {
    const p = pod({ phase: 'Running', conditions: [
      { type: 'Initialized', status: 'True', lastTransitionTime: '2026-11-23T09:00:00Z' },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-23T10:00:00Z' },
    ] });
    expect(podBindTime(p)).toBe(Date.parse('2026-11-23T10:00:00Z'));
  });

  it('accepts the Date objects @kubernetes/client-node deserializes times into', () => {
    const p = pod({ conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: new Date('2026-11-23T10:00:00Z') }] });
    expect(podBindTime(p)).toBe(Date.parse('2026-11-23T10:00:00Z'));
  });

  it.each([
    ['no conditions', {}],
    ['PodScheduled=False (unschedulable so far)', { conditions: [{ type: 'PodScheduled', status: 'False', lastTransitionTime: '2026-11-23T10:00:00Z' }] }],
    ['an unreadable time', { conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: 'yesterday' }] }],
  ])('is null with %s', (_n, status) => {
    expect(podBindTime(pod(status))).toBeNull();
  });
});

describe('podEndTime()', () => {
  it('is the latest finishedAt of the terminated containers of a finished pod', () => {
    const p = pod({ phase: 'Succeeded',
      initContainerStatuses: [{ state: { terminated: { finishedAt: '2026-11-23T10:01:00Z' } } }],
      containerStatuses: [{ state: { terminated: { finishedAt: '2026-11-23T11:30:00Z' } } }, { state: { terminated: { finishedAt: '2026-11-23T11:00:00Z' } } }] });
    expect(podEndTime(p)).toBe(Date.parse('2026-11-23T11:30:00Z'));
  });

  it('is null for a running pod, and for a finished pod that names no time', () => {
    expect(podEndTime(pod({ phase: 'Running', containerStatuses: [{ state: { terminated: { finishedAt: '2026-11-23T11:30:00Z' } } }] }))).toBeNull();
    expect(podEndTime(pod({ phase: 'Failed', containerStatuses: [{ state: { running: {} } }] }))).toBeNull();
  });
});
