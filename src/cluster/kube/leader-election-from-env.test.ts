import { describe, expect, it } from 'vitest';
import { leaderElectionFromEnv } from './kube-cluster-source.js';

describe('leaderElectionFromEnv', () => {
  it('turns election off with TESSERA_LEADER_ELECTION=false', () => {
    expect(leaderElectionFromEnv({ TESSERA_LEADER_ELECTION: 'False' })).toBe(false);
  });

  it('holds its own Lease "tessera" in the pod namespace by default, with a unique identity per start', () => {
    const env = { POD_NAMESPACE: 'tessera-system', POD_NAME: 'tessera-scheduler-7d9f' };
    const a = leaderElectionFromEnv(env);
    const b = leaderElectionFromEnv(env);
    expect(a).toMatchObject({ namespace: 'tessera-system', name: 'tessera' });
    expect(a !== false && a.follow).toBeUndefined();
    expect(a !== false && a.identity).toMatch(/^tessera-scheduler-7d9f_[0-9a-f]{8}$/);
    expect(a !== false && b !== false && a.identity !== b.identity).toBe(true);
  });

  it('follows kube-scheduler\'s Lease as deploy/ configures it, matching holders by the pod name', () => {
    const got = leaderElectionFromEnv({
      TESSERA_LEADER_ELECTION: 'follow',
      TESSERA_LEASE_NAME: 'tessera-scheduler',
      TESSERA_LEASE_NAMESPACE: 'sched',
      POD_NAMESPACE: 'ignored',
      POD_NAME: 'tessera-scheduler-7d9f',
    });
    expect(got).toMatchObject({ namespace: 'sched', name: 'tessera-scheduler', follow: 'tessera-scheduler-7d9f' });
  });
});
