import { ApiException, type CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { PendingEventRecorder, UNSCHEDULABLE_EVENT_REASON } from './pending-event-recorder.js';

/** Records the Event writes the recorder makes (the two CoreV1Api calls it uses), keyed like the apiserver. */
function eventApi(options: { failCreate?: boolean } = {}) {
  const events = new Map<string, CoreV1Event>();
  const calls: string[] = [];
  const api = {
    createNamespacedEvent({ namespace, body }: { namespace: string; body: CoreV1Event }) {
      calls.push('create');
      if (options.failCreate === true) return Promise.reject(new ApiException(403, 'forbidden', '{"message":"events is forbidden"}', {}));
      events.set(`${namespace}/${body.metadata?.name ?? ''}`, body);
      return Promise.resolve(body);
    },
    patchNamespacedEvent({ name, namespace, body }: { name: string; namespace: string; body: Partial<CoreV1Event> }) {
      calls.push('patch');
      const key = `${namespace}/${name}`;
      const old = events.get(key);
      if (old === undefined) return Promise.reject(new ApiException(404, 'not found', '{}', {}));
      events.set(key, { ...old, ...body });
      return Promise.resolve(events.get(key));
    },
  };
  return { api: api as unknown as CoreV1Api, events, calls };
}

const pod = { namespace: 'ml', name: 'train-0', uid: 'uid-1' };

describe('PendingEventRecorder', () => {
  it('creates one Warning Event per pod and message, then counts repeats into it at most once per interval', async () => {
    let now = 1_000_000;
    const { api, events, calls } = eventApi();
    const r = new PendingEventRecorder({ api, minIntervalMs: 30_000, now: () => now, instance: 'tessera-a' });
    r.report(pod, '0/40 nodes are available: 40 need 16 whole GPUs');
    await r.flush();
    for (let i = 0; i < 5; i++) {
      now += 5_000;
      r.report(pod, '0/40 nodes are available: 40 need 16 whole GPUs');
    }
    await r.flush();
    expect(calls).toEqual(['create']);
    now += 10_000; // 35 s after the first write
    r.report(pod, '0/40 nodes are available: 40 need 16 whole GPUs');
    await r.flush();
    expect(calls).toEqual(['create', 'patch']);
    const [event] = [...events.values()];
    expect(event).toMatchObject({
      type: 'Warning',
      reason: UNSCHEDULABLE_EVENT_REASON,
      message: '0/40 nodes are available: 40 need 16 whole GPUs',
      count: 7,
      involvedObject: { kind: 'Pod', namespace: 'ml', name: 'train-0', uid: 'uid-1' },
      reportingInstance: 'tessera-a',
    });
  });

  it('writes at most once per interval even when the message changes every time, then starts a new Event', async () => {
    let now = 0;
    const { api, events, calls } = eventApi();
    const r = new PendingEventRecorder({ api, minIntervalMs: 30_000, now: () => now });
    r.report(pod, 'first reason');
    for (let i = 0; i < 20; i++) {
      now += 1_000;
      r.report(pod, i % 2 === 0 ? '0/2 nodes: 1 a, 1 b' : '0/2 nodes: 1 b, 1 a');
    }
    await r.flush();
    expect(calls).toEqual(['create']);
    now += 11_000;
    r.report(pod, 'second reason');
    await r.flush();
    expect([...events.values()].map((e) => [e.message, e.count])).toEqual([
      ['first reason', 1],
      ['second reason', 21],
    ]);
  });

  it('forgets a pod once it is bound, so a later failure is reported at once', async () => {
    let now = 0;
    const { api, events } = eventApi();
    const r = new PendingEventRecorder({ api, minIntervalMs: 30_000, now: () => now });
    r.report(pod, 'reason');
    r.forget(pod.uid);
    now += 1_000;
    r.report(pod, 'reason');
    await r.flush();
    expect(events.size).toBe(2);
  });

  it('never throws when the apiserver refuses the Event, and logs why', async () => {
    const { api } = eventApi({ failCreate: true });
    const logs: string[] = [];
    const r = new PendingEventRecorder({ api, log: (m) => logs.push(m) });
    expect(() => r.report(pod, 'x')).not.toThrow();
    await r.flush();
    expect(logs).toEqual(['cannot record event on pod "ml/train-0": HTTP 403: events is forbidden']);
  });
});
