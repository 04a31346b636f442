/**
 * Chaos at scale (`npm run bench:chaos`, about 10 minutes on 2 cores): a real kube-apiserver, etcd,
 * kube-scheduler (deploy/'s configuration, over mutual TLS) and KWOK with 160 fake GPU nodes (1,280 GPUs), Tessera
 * run from its image, and 5,000 pods of a quarter GPU each created in bursts of 500. Mid-burst: Tessera SIGKILLed
 * twice, kube-scheduler restarted once, the apiserver restarted once. An independent checker samples every pod's
 * allocation annotation against the fleet's capacities throughout. Prints the timeline and asserts: every pod bound
 * (capacity 5,120 >= 5,000, so none may stay Pending), none over-committed at any sampled moment, every bound pod's
 * annotation names its node. The e2e suite runs the same chaos on 500 pods (test/e2e/scheduling.e2e.ts).
 */
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { runChaosBurst } from '../test/e2e/harness/chaos-burst.js';
import {
  applyObjects, EXTENDER_SERVICE_ACCOUNT, kustomizeObjects, SCHEDULER_NAMESPACE, SCHEDULER_SERVICE_ACCOUNT, serviceAccountToken,
  startKubeScheduler, startKwok, tesseraRunner,
} from '../test/e2e/harness/components.js';
import { makeExtenderPki } from '../test/e2e/harness/extender-pki.js';
import { allocationViolations, fleetNodeObject, gpuPod, type FleetNode } from '../test/e2e/harness/gpu-fleet.js';
import { ensureBinaries, REPO_ROOT, startLocalCluster } from '../test/e2e/harness/local-cluster.js';
import { type ManagedProcess, waitFor } from '../test/e2e/harness/managed-process.js';

const PODS = Number(process.env.CHAOS_PODS ?? 5000);
const nodes = (prefix: string, count: number, spec: Omit<FleetNode, 'name'>): FleetNode[] =>
  Array.from({ length: count }, (_, i) => ({ ...spec, name: `${prefix}-${String(i)}` }));
const fleet: FleetNode[] = [
  ...nodes('h100', 80, { product: 'NVIDIA-H100-80GB-HBM3', gpus: 8, gpuMemoryMiB: 81559, preset: 'hgx-h100-8x-sxm', nvlinkIslands: [[0, 1, 2, 3, 4, 5, 6, 7]], spot: false, hourlyPrice: 98.32, sharing: null }),
  ...nodes('l4-spot', 80, { product: 'NVIDIA-L4', gpus: 8, gpuMemoryMiB: 23034, preset: 'l4-8x-pcie-2socket', nvlinkIslands: [], spot: true, hourlyPrice: 2.9, sharing: null }),
];
const capacity = fleet.reduce((s, n) => s + n.gpus * 4, 0);

async function main(): Promise<void> {
  const started = Date.now();
  const binDir = await ensureBinaries();
  const cluster = await startLocalCluster(binDir, 'bench-chaos');
  let kwok: ManagedProcess | null = null;
  let scheduler: ManagedProcess | null = null;
  let tessera: Awaited<ReturnType<typeof tesseraRunner>> | null = null;
  try {
    const kc = cluster.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    kwok = await startKwok(binDir, cluster);
    await applyObjects(kc, kustomizeObjects(join(REPO_ROOT, 'deploy')));
    const schedulerKubeconfig = cluster.writeKubeconfig('tessera-scheduler', await serviceAccountToken(kc, SCHEDULER_NAMESPACE, SCHEDULER_SERVICE_ACCOUNT));
    const extenderKubeconfig = cluster.writeKubeconfig('tessera-extender', await serviceAccountToken(kc, SCHEDULER_NAMESPACE, EXTENDER_SERVICE_ACCOUNT));
    await applyObjects(kc, fleet.map(fleetNodeObject));
    await waitFor('every fleet node Ready', async () => (await core.listNode()).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === fleet.length, { timeoutMs: 300_000, intervalMs: 2_000 });
    const pki = makeExtenderPki(join(cluster.dir, 'extender-pki'));
    const runner = await tesseraRunner(cluster, extenderKubeconfig, pki);
    tessera = runner;
    await runner.start();
    scheduler = await startKubeScheduler(binDir, cluster, schedulerKubeconfig, runner.port, { pki });
    const coordination = kc.makeApiClient(CoordinationV1Api);
    await waitFor('the scheduler lease', async () => ((await coordination.readNamespacedLease({ name: 'tessera-scheduler', namespace: SCHEDULER_NAMESPACE })).spec?.holderIdentity ?? '') !== '', { timeoutMs: 120_000, intervalMs: 1_000 });
    await applyObjects(kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'chaos' } }]);
    console.log(`set up in ${String(Math.round((Date.now() - started) / 1000))} s: ${String(fleet.length)} nodes, capacity ${String(capacity)} quarter-GPU pods; Tessera image ${runner.image.digest}`);

    const restartScheduler = async (): Promise<void> => {
      await scheduler?.stop();
      scheduler = await startKubeScheduler(binDir, cluster, schedulerKubeconfig, runner.port, { pki });
    };
    const killTessera = async (): Promise<void> => {
      await runner.kill();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await runner.start();
    };
    const pods = Array.from({ length: PODS }, (_, i) =>
      gpuPod({ name: `chaos-${String(i).padStart(4, '0')}`, namespace: 'chaos', resources: { 'tessera.io/gpu-compute': '250' }, annotations: { 'tessera.io/interruptible': 'true' } }));
    const q = (f: number): number => Math.round(PODS * f);
    const report = await runChaosBurst({
      core, namespace: 'chaos', fleet, pods, capacity, burst: 500, pauseMs: 2_000, timeoutMs: 30 * 60_000, sampleEveryMs: 3_000,
      log: (line) => console.log(line),
      actions: [
        { name: 'Tessera SIGKILLed', afterBound: q(0.2), run: killTessera },
        { name: 'kube-scheduler restarted', afterBound: q(0.4), run: restartScheduler },
        {
          name: 'kube-apiserver restarted', afterBound: q(0.6),
          run: async () => {
            await cluster.restartApiserver();
            await new Promise((resolve) => setTimeout(resolve, 3_000));
            if (scheduler?.exited() === true) await restartScheduler();
          },
        },
        { name: 'Tessera SIGKILLed again', afterBound: q(0.8), run: killTessera },
      ],
    });
    const final = (await core.listNamespacedPod({ namespace: 'chaos' })).items;
    const bound = final.filter((p) => (p.spec?.nodeName ?? '') !== '').length;
    const finalViolations = allocationViolations(fleet, final);
    console.log(`\n${String(PODS)} pods: all bound ${String(report.boundSeconds)} s after the first burst (${(PODS / report.boundSeconds).toFixed(1)} pods/s through the chaos)`);
    for (const a of report.actions) console.log(`  ${a.name}: at ${String(a.atSeconds)} s with ${String(a.bound)} bound`);
    console.log(`  samples checked: ${String(report.samples)}; over-commits seen: ${String(report.violations.length)}; annotation/node mismatches: ${String(report.unsound.length)}; final: ${String(bound)}/${String(PODS)} bound, ${String(finalViolations.length)} over-commits`);
    const ok = bound === PODS && report.violations.length === 0 && report.unsound.length === 0 && finalViolations.length === 0 && report.actions.length === 4;
    console.log(ok ? 'chaos: PASS' : `chaos: FAIL ${JSON.stringify({ violations: report.violations.slice(0, 5), unsound: report.unsound.slice(0, 5), finalViolations: finalViolations.slice(0, 5) })} (logs in ${cluster.logDir})`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await scheduler?.stop();
    await tessera?.stop();
    await kwok?.stop();
    await cluster.stop();
  }
}

await main();
