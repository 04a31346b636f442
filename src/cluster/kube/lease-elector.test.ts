import { describe, expect, it } from 'vitest';
import { LeaseElector } from './lease-elector.js';
import type { LeaseRecord, LeaseStore, StoredLease } from './lease-store.js';

/** An in-memory lease with the apiserver's optimistic concurrency (resourceVersion must match). */
function memoryStore(): LeaseStore & { current(): StoredLease | null } {
  let stored: StoredLease | null = null;
  let version = 0;
  return {
    describe: 'test/lease',
    current: () => stored,
    get: () => Promise.resolve(stored),
    create(record: LeaseRecord) {
      if (stored !== null) return Promise.resolve(false);
      stored = { record, resourceVersion: String(++version) };
      return Promise.resolve(true);
    },
    update(record: LeaseRecord, resourceVersion: string) {
      if (stored?.resourceVersion !== resourceVersion) return Promise.resolve(false);
      stored = { record, resourceVersion: String(++version) };
      return Promise.resolve(true);
    },
  };
}

function pair() {
  let now = 1_000_000;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const store = memoryStore();
  const make = (identity: string) =>
    new LeaseElector({ store, identity, leaseDurationSeconds: 15, renewDeadlineMs: 10_000, now: clock.now });
  return { clock, store, a: make('a'), b: make('b') };
}

describe('LeaseElector', () => {
  it('makes the first replica leader and keeps the second a follower while the lease is renewed', async () => {
    const { clock, a, b } = pair();
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    for (let i = 0; i < 20; i++) {
      clock.advance(2_000);
      expect(await a.tryAcquireOrRenew()).toBe(true);
      expect(await b.tryAcquireOrRenew()).toBe(false);
    }
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(b.observedHolder()).toBe('a');
  });

  it('hands the lease over only after the holder stopped renewing for a full lease duration', async () => {
    const { clock, store, a, b } = pair();
    await a.tryAcquireOrRenew();
    await b.tryAcquireOrRenew(); // b observes a's record now
    clock.advance(14_000);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    expect(a.isLeader()).toBe(false); // a missed its renew deadline, so it no longer acts as leader
    clock.advance(1_000);
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(store.current()?.record).toMatchObject({ holder: 'b', transitions: 1 });
    expect(await a.tryAcquireOrRenew()).toBe(false);
  });

  it('lets a follower take over at once after the leader releases the lease on stop', async () => {
    const { store, a, b } = pair();
    await a.tryAcquireOrRenew();
    await a.stop();
    expect(store.current()?.record.holder).toBe('');
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(a.isLeader()).toBe(false);
  });

  it('loses a race for a free lease to the replica that wrote first', async () => {
    const { a, b } = pair();
    const [ra, rb] = await Promise.all([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]);
    expect([ra, rb].filter(Boolean)).toHaveLength(1);
  });

  it('rejects a renew deadline that is not shorter than the lease duration', () => {
    expect(
      () => new LeaseElector({ store: memoryStore(), identity: 'x', leaseDurationSeconds: 5, renewDeadlineMs: 5_000 }),
    ).toThrow(/renew deadline 5000 ms must be shorter than the lease duration 5 s/);
  });
});
