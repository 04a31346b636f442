import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { allocationOf, allocationViolations, type FleetNode } from './gpu-fleet.js';
import { waitFor } from './managed-process.js';

/** Something done to the system mid-burst, once at least `afterBound` pods are bound. */
export interface ChaosAction {
  readonly name: string;
  readonly afterBound: number;
  readonly run: () => Promise<void>;
}

/** Inputs of `runChaosBurst`. */
export interface ChaosBurst {
  readonly core: CoreV1Api;
  readonly namespace: string;
  readonly fleet: readonly FleetNode[];
  readonly pods: readonly V1Pod[];
  /** Pods that fit at once (the rest must wait until capacity frees up). */
  readonly capacity: number;
  /** Pods created per burst, and the pause between bursts. */
  readonly burst: number;
  readonly pauseMs: number;
  readonly actions: readonly ChaosAction[];
  readonly timeoutMs: number;
  /** How often the independent checker samples every pod's allocation annotation. */
  readonly sampleEveryMs?: number;
  readonly log?: (line: string) => void;
}

/** What happened: every sample's over-commits, when each action ran, how long until everything that fits was bound. */
export interface ChaosReport {
  readonly samples: number;
  /** Over-commit found at any sampled moment (must be empty). */
  readonly violations: readonly string[];
  /** Bound pods whose annotation is missing or names another node. */
  readonly unsound: readonly string[];
  readonly actions: readonly { readonly name: string; readonly bound: number; readonly atSeconds: number }[];
  readonly boundSeconds: number;
  readonly bound: number;
  readonly pods: readonly V1Pod[];
}

const isBound = (p: V1Pod): boolean => (p.spec?.nodeName ?? '') !== '';

/**
 * Creates `pods` in bursts while an independent checker samples the pods' allocation annotations against the
 * fleet's capacities, and runs each chaos action (Tessera SIGKILLed, kube-scheduler restarted, the apiserver
 * restarted, ...) once enough pods are bound. Creation and sampling ride out the apiserver being away (they
 * retry). Resolves once `min(pods, capacity)` pods are bound and every action has run.
 */
export async function runChaosBurst(o: ChaosBurst): Promise<ChaosReport> {
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  const seconds = (): number => Math.round((Date.now() - started) / 100) / 10;
  const violations = new Set<string>();
  const done: { name: string; bound: number; atSeconds: number }[] = [];
  let samples = 0;
  let bound = 0;
  let last: V1Pod[] = [];
  let stop = false;
  const target = Math.min(o.pods.length, o.capacity);

  const list = async (): Promise<V1Pod[] | null> => {
    try {
      return (await o.core.listNamespacedPod({ namespace: o.namespace })).items;
    } catch {
      return null;
    }
  };
  const sampler = (async () => {
    while (!stop) {
      const pods = await list();
      if (pods !== null) {
        samples += 1;
        last = pods;
        bound = pods.filter(isBound).length;
        for (const v of allocationViolations(o.fleet, pods)) violations.add(v);
      }
      await new Promise((resolve) => setTimeout(resolve, o.sampleEveryMs ?? 1000));
    }
  })();
  const chaos = (async () => {
    for (const action of [...o.actions].sort((a, b) => a.afterBound - b.afterBound)) {
      await waitFor(`${String(action.afterBound)} bound before "${action.name}"`, () => bound >= action.afterBound, { timeoutMs: o.timeoutMs, intervalMs: 200 });
      log(`chaos: ${action.name} with ${String(bound)} bound at ${String(seconds())} s`);
      done.push({ name: action.name, bound, atSeconds: seconds() });
      await action.run();
    }
  })();
  const create = (async () => {
    for (let at = 0; at < o.pods.length; at += o.burst) {
      const batch = o.pods.slice(at, at + o.burst);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < batch.length) {
          const pod = batch[next++] as V1Pod;
          // The apiserver may be restarting: retry until the pod exists (409 = created by an earlier try).
          for (let attempt = 0; ; attempt += 1) {
            try {
              await o.core.createNamespacedPod({ namespace: o.namespace, body: pod });
              break;
            } catch (err) {
              if ((err as { code?: number }).code === 409) break;
              if (attempt > 600) throw err;
              await new Promise((resolve) => setTimeout(resolve, 500));
            }
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      if (o.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, o.pauseMs));
    }
  })();
  try {
    await Promise.all([create, chaos]);
    await waitFor(`${String(target)} pods bound`, () => bound >= target, { timeoutMs: o.timeoutMs, intervalMs: 500 });
  } finally {
    stop = true;
    await sampler;
  }
  const boundSeconds = seconds();
  const unsound = last.filter(isBound).filter((p) => allocationOf(p)?.node !== p.spec?.nodeName).map((p) => p.metadata?.name ?? '');
  return { samples, violations: [...violations], unsound, actions: done, boundSeconds, bound, pods: last };
}
