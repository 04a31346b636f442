import { describe, expect, it } from 'vitest';
import { backoffSeconds, SchedulingQueue } from './scheduling-queue.js';

function drain(q: SchedulingQueue<string>): string[] {
  const out: string[] = [];
  for (let p = q.pop(); p !== undefined; p = q.pop()) out.push(p.pod);
  return out;
}

describe('SchedulingQueue', () => {
  it.each([[1, 1], [2, 2], [3, 4], [4, 8], [5, 10], [9, 10]])('backoffSeconds(%i failures) is %i s (1 s doubling, capped at 10 s)', (failures, seconds) => {
    expect(backoffSeconds(failures)).toBe(seconds);
  });

  it('pops by priority, then by timestamp (first come first served), then by arrival order', () => {
    const q = new SchedulingQueue<string>();
    q.add('low, t0, seq0', 0, 0, 0);
    q.add('high, t5', 1, 1, 5);
    q.add('high, t3', 1, 2, 3);
    q.add('low, t0, seq4', 0, 4, 0);
    q.add('low, t0, seq3', 0, 3, 0);
    expect(drain(q)).toEqual(['high, t3', 'high, t5', 'low, t0, seq0', 'low, t0, seq3', 'low, t0, seq4']);
  });

  it('parks a failed pod until a cluster event, which sends it to backoffQ while it backs off and to activeQ after', () => {
    const q = new SchedulingQueue<string>();
    const a = q.add('a', 0, 0, 0);
    q.pop();
    q.addUnschedulable(a, 10);
    expect(a.backoffExpiry).toBe(11);
    expect(q.pop()).toBeUndefined();
    expect(q.size).toBe(1);
    q.moveAllToActiveOrBackoff(10.5);
    expect(a.where).toBe('backoff');
    expect(q.nextBackoffExpiry()).toBe(11);
    q.flushBackoffCompleted(10.9);
    expect(q.pop()).toBeUndefined();
    q.flushBackoffCompleted(11);
    expect(q.pop()?.pod).toBe('a');
    // A second failure backs off 2 s; an event after that sends the pod straight to activeQ.
    q.addUnschedulable(a, 20);
    expect(a.backoffExpiry).toBe(22);
    q.moveAllToActiveOrBackoff(25);
    expect(a.where).toBe('active');
    expect(q.pop()?.pod).toBe('a');
  });

  it('a retried pod queues behind pods that arrived before its last failure (kube-scheduler refreshes the timestamp)', () => {
    const q = new SchedulingQueue<string>();
    const old = q.add('old', 0, 0, 0);
    q.pop();
    q.add('newer', 0, 1, 5);
    q.addUnschedulable(old, 6);
    q.moveAllToActiveOrBackoff(100);
    expect(drain(q)).toEqual(['newer', 'old']);
  });

  it('flushes pods parked longer than 5 minutes at the next 30-second tick, and only those', () => {
    const q = new SchedulingQueue<string>();
    const a = q.add('a', 0, 0, 0);
    const b = q.add('b', 0, 1, 0);
    q.pop(); q.pop();
    q.addUnschedulable(a, 10);
    q.addUnschedulable(b, 100);
    expect(q.nextLeftoverFlush()).toBe(330);
    q.flushUnschedulableLeftover(300);
    expect(q.pop()).toBeUndefined();
    q.flushUnschedulableLeftover(330);
    expect(drain(q)).toEqual(['a']);
    expect(q.nextLeftoverFlush()).toBe(420);
    expect(b.where).toBe('unschedulable');
  });

  it('delete() takes a pod out of whichever queue holds it', () => {
    const q = new SchedulingQueue<string>();
    const a = q.add('a', 0, 0, 0);
    q.add('b', 0, 1, 0);
    const c = q.add('c', 0, 2, 0);
    q.pop();
    q.addUnschedulable(a, 1);
    q.moveAllToActiveOrBackoff(1.5);
    q.delete(a);
    q.delete(c);
    expect(q.size).toBe(1);
    expect(drain(q)).toEqual(['b']);
    expect([a.where, c.where]).toEqual(['out', 'out']);
    expect(q.nextBackoffExpiry()).toBe(Infinity);
  });
});
