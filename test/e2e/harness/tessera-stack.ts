import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import {
  applyObjects, EXTENDER_SERVICE_ACCOUNT, kustomizeObjects, SCHEDULER_NAMESPACE, SCHEDULER_SERVICE_ACCOUNT, serviceAccountToken, startKubeScheduler,
  startKwok, type TesseraRunner, tesseraRunner,
} from './components.js';
import { makeExtenderPki } from './extender-pki.js';
import { ensureBinaries, type LocalCluster, REPO_ROOT, startLocalCluster } from './local-cluster.js';
import { type ManagedProcess, waitFor } from './managed-process.js';

/** A running kube-apiserver + etcd, KWOK, deploy/'s objects, Tessera and kube-scheduler, as the e2e suite runs them. */
export interface TesseraStack {
  readonly cluster: LocalCluster;
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly kwok: ManagedProcess;
  readonly tessera: TesseraRunner;
  readonly scheduler: ManagedProcess;
  /** The tessera-scheduler ServiceAccount's kubeconfig (kube-scheduler's identity in deploy/). */
  readonly saKubeconfig: string;
  readonly binDir: string;
  stop(): Promise<void>;
}

/**
 * Starts the whole stack over `nodes` (KWOK nodes, annotated `kwok.x-k8s.io/node: fake`) and waits until every
 * node is Ready, Tessera answers /readyz and kube-scheduler holds the tessera-scheduler lease.
 */
export async function startTesseraStack(runName: string, nodes: readonly V1Node[]): Promise<TesseraStack> {
  const binDir = await ensureBinaries();
  const cluster = await startLocalCluster(binDir, runName);
  const kc = cluster.kubeConfig;
  const core = kc.makeApiClient(CoreV1Api);
  const kwok = await startKwok(binDir, cluster);
  await applyObjects(kc, kustomizeObjects(join(REPO_ROOT, 'deploy')));
  const saKubeconfig = cluster.writeKubeconfig('tessera-scheduler', await serviceAccountToken(kc, SCHEDULER_NAMESPACE, SCHEDULER_SERVICE_ACCOUNT));
  const extenderKubeconfig = cluster.writeKubeconfig('tessera-extender', await serviceAccountToken(kc, SCHEDULER_NAMESPACE, EXTENDER_SERVICE_ACCOUNT));
  await applyObjects(kc, nodes);
  await waitFor(
    `KWOK to make ${String(nodes.length)} nodes Ready`,
    async () => {
      const listed = (await core.listNode()).items;
      return listed.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= nodes.length;
    },
    { timeoutMs: 300_000, intervalMs: 1_000, process: kwok },
  );
  // As deploy/ runs them: Tessera from its image with its own identity, kube-scheduler calling it over mutual TLS.
  const pki = makeExtenderPki(join(cluster.dir, 'extender-pki'));
  const tessera = await tesseraRunner(cluster, extenderKubeconfig, pki);
  await tessera.start();
  const scheduler = await startKubeScheduler(binDir, cluster, saKubeconfig, tessera.port, { pki });
  const coordination = kc.makeApiClient(CoordinationV1Api);
  await waitFor(
    'kube-scheduler to hold the tessera-scheduler lease',
    async () => ((await coordination.readNamespacedLease({ name: 'tessera-scheduler', namespace: SCHEDULER_NAMESPACE })).spec?.holderIdentity ?? '') !== '',
    { timeoutMs: 120_000, intervalMs: 1_000, process: scheduler },
  );
  return {
    cluster, kc, core, kwok, tessera, scheduler, saKubeconfig, binDir,
    async stop() {
      await scheduler.stop();
      await tessera.stop();
      await kwok.stop();
      await cluster.stop();
    },
  };
}
