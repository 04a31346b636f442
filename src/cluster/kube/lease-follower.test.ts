import { describe, expect, it } from 'vitest';
import { LeaseFollower } from './lease-follower.js';
import type { LeaseRecord, LeaseStore, StoredLease } from './lease-store.js';

function fixedStore(): LeaseStore & { set(record: LeaseRecord | null): void } {
  let stored: StoredLease | null = null;
  return {
    describe: 'tessera-system/tessera-scheduler',
    set(record) {
      stored = record === null ? null : { record, resourceVersion: '1' };
    },
    get: () => Promise.resolve(stored),
    create: () => Promise.reject(new Error('a follower must not create the lease')),
    update: () => Promise.reject(new Error('a follower must not write the lease')),
  };
}

const held = (holder: string, renewTimeMs: number): LeaseRecord => ({
  holder,
  leaseDurationSeconds: 15,
  acquireTimeMs: 0,
  renewTimeMs,
  transitions: 0,
});

describe('LeaseFollower', () => {
  it('leads while its own pod\'s scheduler holds and renews the lease, and stops a lease duration after renewals stop', async () => {
    let now = 0;
    const store = fixedStore();
    const changes: boolean[] = [];
    const f = new LeaseFollower({ store, holderPrefix: 'tessera-abc', now: () => now, onChange: (l) => changes.push(l) });
    expect(await f.tryAcquireOrRenew()).toBe(false);
    store.set(held('tessera-abc_5f2c', 1));
    expect(await f.tryAcquireOrRenew()).toBe(true);
    now = 10_000;
    store.set(held('tessera-abc_5f2c', 10_000));
    expect(await f.tryAcquireOrRenew()).toBe(true);
    now = 24_999;
    expect(await f.tryAcquireOrRenew()).toBe(true);
    now = 25_000;
    expect(await f.tryAcquireOrRenew()).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it.each([
    ['another pod holds the lease', 'tessera-xyz_1'],
    ['a pod whose name only starts with ours holds it', 'tessera-abc2_1'],
    ['the lease was released', ''],
  ])('does not lead when %s', async (_name, holder) => {
    const store = fixedStore();
    store.set(held(holder, 1));
    const f = new LeaseFollower({ store, holderPrefix: 'tessera-abc', now: () => 0 });
    expect(await f.tryAcquireOrRenew()).toBe(false);
  });
});
