import { type CoordinationV1Api, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { isApiStatus } from './api-errors.js';

/** What a leader-election Lease says, in plain values (times in ms since the epoch). */
export interface LeaseRecord {
  /** Holder's identity, '' when released. */
  readonly holder: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTimeMs: number;
  readonly renewTimeMs: number;
  readonly transitions: number;
}

/** A stored lease and its optimistic-concurrency token. */
export interface StoredLease {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

/** Storage of one Lease; `create`/`update` answer false on a conflict (someone else wrote first). */
export interface LeaseStore {
  /** Human name for messages, e.g. `kube-system/tessera`. */
  readonly describe: string;
  get(): Promise<StoredLease | null>;
  create(record: LeaseRecord): Promise<boolean>;
  update(record: LeaseRecord, resourceVersion: string): Promise<boolean>;
}

/** A `LeaseStore` over `coordination.k8s.io/v1` Lease `namespace/name`. */
export function kubeLeaseStore(api: CoordinationV1Api, namespace: string, name: string): LeaseStore {
  const toBody = (record: LeaseRecord, resourceVersion?: string): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    spec: {
      holderIdentity: record.holder,
      leaseDurationSeconds: record.leaseDurationSeconds,
      acquireTime: new V1MicroTime(record.acquireTimeMs),
      renewTime: new V1MicroTime(record.renewTimeMs),
      leaseTransitions: record.transitions,
    },
  });
  return {
    describe: `${namespace}/${name}`,
    async get() {
      try {
        const lease = await api.readNamespacedLease({ name, namespace });
        const spec = lease.spec ?? {};
        return {
          resourceVersion: lease.metadata?.resourceVersion ?? '',
          record: {
            holder: spec.holderIdentity ?? '',
            leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
            acquireTimeMs: timeMs(spec.acquireTime),
            renewTimeMs: timeMs(spec.renewTime),
            transitions: spec.leaseTransitions ?? 0,
          },
        };
      } catch (err) {
        if (isApiStatus(err, 404)) return null;
        throw err;
      }
    },
    async create(record) {
      try {
        await api.createNamespacedLease({ namespace, body: toBody(record) });
        return true;
      } catch (err) {
        if (isApiStatus(err, 409)) return false;
        throw err;
      }
    },
    async update(record, resourceVersion) {
      try {
        await api.replaceNamespacedLease({ name, namespace, body: toBody(record, resourceVersion) });
        return true;
      } catch (err) {
        if (isApiStatus(err, 409)) return false;
        throw err;
      }
    },
  };
}

function timeMs(t: Date | string | undefined): number {
  if (t === undefined) return 0;
  const ms = new Date(t).getTime();
  return Number.isFinite(ms) ? ms : 0;
}
