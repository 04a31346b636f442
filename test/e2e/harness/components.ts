import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import { isApiStatus } from '../../../src/cluster/kube/api-errors.js';
import type { LocalCluster } from './local-cluster.js';
import { REPO_ROOT } from './local-cluster.js';
import { freePort, type ManagedProcess, startProcess, waitFor } from './managed-process.js';

/** Namespace and ServiceAccount that deploy/ creates for the scheduler pod. */
export const SCHEDULER_NAMESPACE = 'tessera-system';
export const SCHEDULER_SERVICE_ACCOUNT = 'tessera-scheduler';

/** The objects of a kustomize base (its `resources:` files; no patches), as `kubectl apply -k` would send them. */
export function kustomizeObjects(dir: string): KubernetesObject[] {
  const k = parseYaml(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return k.resources.flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS() as KubernetesObject));
}

/** Creates `objects` in order (an object that exists already is left as it is). */
export async function applyObjects(kc: KubeConfig, objects: readonly KubernetesObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of objects) {
    try {
      await api.create(obj);
    } catch (err) {
      if (!isApiStatus(err, 409)) {
        throw new Error(`cannot create ${obj.kind ?? ''} "${obj.metadata?.name ?? ''}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
  }
}

/** A bearer token for a ServiceAccount (TokenRequest API), so components run with deploy/'s RBAC, not as admin. */
export async function serviceAccountToken(kc: KubeConfig, namespace: string, name: string): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const res = await core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 7200 } } });
  const token = res.status?.token;
  if (token === undefined || token === '') throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
  return token;
}

/** The kwok controller managing nodes annotated `kwok.x-k8s.io/node=fake` (Ready nodes, Running pods). */
export async function startKwok(binDir: string, cluster: LocalCluster): Promise<ManagedProcess> {
  const port = await freePort();
  const kwok = startProcess(
    'kwok',
    join(binDir, 'kwok'),
    [
      `--kubeconfig=${cluster.adminKubeconfig}`,
      `--config=${join(binDir, 'kwok-stages.yaml')}`,
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      `--server-address=127.0.0.1:${String(port)}`,
      '--node-ip=127.0.0.1',
      '--node-lease-duration-seconds=40',
    ],
    { logDir: cluster.logDir },
  );
  await waitFor('kwok /healthz', async () => (await fetch(`http://127.0.0.1:${String(port)}/healthz`)).ok, { timeoutMs: 60_000, process: kwok });
  return kwok;
}

/**
 * Writes deploy/'s KubeSchedulerConfiguration adapted to this run (kubeconfig path, Tessera's local port) and
 * starts the stock kube-scheduler with it, as the tessera-scheduler ServiceAccount.
 */
export async function startKubeScheduler(
  binDir: string,
  cluster: LocalCluster,
  kubeconfig: string,
  tesseraPort: number,
): Promise<ManagedProcess> {
  const configMap = kustomizeObjects(join(REPO_ROOT, 'deploy')).find(
    (o) => o.kind === 'ConfigMap' && o.metadata?.name === 'tessera-scheduler-config',
  ) as (KubernetesObject & { data: Record<string, string> }) | undefined;
  const text = configMap?.data['scheduler-config.yaml'];
  if (text === undefined) throw new Error('deploy/ has no ConfigMap tessera-scheduler-config with scheduler-config.yaml');
  const config = parseYaml(text) as {
    clientConnection?: { kubeconfig?: string };
    extenders: { urlPrefix: string }[];
  };
  config.clientConnection = { ...(config.clientConnection ?? {}), kubeconfig };
  for (const e of config.extenders) e.urlPrefix = e.urlPrefix.replace(/^http:\/\/127\.0\.0\.1:\d+/, `http://127.0.0.1:${String(tesseraPort)}`);
  const path = join(cluster.dir, 'scheduler-config.yaml');
  writeFileSync(path, stringify(config));
  const port = await freePort();
  const scheduler = startProcess(
    'kube-scheduler',
    join(binDir, 'kube-scheduler'),
    [
      `--config=${path}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${String(port)}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      `--cert-dir=${join(cluster.dir, 'scheduler-pki')}`,
      '--v=2',
    ],
    { logDir: cluster.logDir },
  );
  await waitFor(
    'kube-scheduler to start',
    () => readFileSync(scheduler.logFile, 'utf8').includes('Serving securely'),
    { timeoutMs: 120_000, process: scheduler },
  );
  return scheduler;
}

/** A Tessera `serve --cluster kube` process that can be killed and started again on the same port. */
export interface TesseraRunner {
  readonly port: number;
  readonly url: string;
  current(): ManagedProcess | null;
  start(): Promise<ManagedProcess>;
  /** SIGKILL (a crash, no cleanup). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs Tessera from source (`node --import tsx src/main.ts serve`) the way deploy/ runs it: in-cluster-like
 * identity (the ServiceAccount token), follow-mode leader election on kube-scheduler's lease, with POD_NAME set
 * to this host's name because kube-scheduler's lease identity is `<hostname>_<uuid>`.
 */
export async function tesseraRunner(cluster: LocalCluster, kubeconfig: string): Promise<TesseraRunner> {
  const port = await freePort();
  const url = `http://127.0.0.1:${String(port)}`;
  let proc: ManagedProcess | null = null;
  let starts = 0;
  const runner: TesseraRunner = {
    port,
    url,
    current: () => proc,
    async start() {
      starts += 1;
      proc = startProcess(
        starts === 1 ? 'tessera' : `tessera-${String(starts)}`,
        process.execPath,
        ['--import', 'tsx', join(REPO_ROOT, 'src', 'main.ts'), 'serve', '--cluster', 'kube', '--kubeconfig', kubeconfig, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'info'],
        {
          logDir: cluster.logDir,
          cwd: REPO_ROOT,
          env: {
            ...process.env,
            TESSERA_LEADER_ELECTION: 'follow',
            TESSERA_LEASE_NAME: 'tessera-scheduler',
            POD_NAMESPACE: SCHEDULER_NAMESPACE,
            POD_NAME: hostname(),
          },
        },
      );
      const started = proc;
      await waitFor('Tessera /readyz', async () => (await fetch(`${url}/readyz`)).ok, { timeoutMs: 120_000, intervalMs: 300, process: started });
      return started;
    },
    async kill() {
      await proc?.kill();
    },
    async stop() {
      await proc?.stop();
    },
  };
  return runner;
}
