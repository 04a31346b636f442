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
import type { ExtenderPki } from './extender-pki.js';
import { freePort, type ManagedProcess, startProcess, waitFor } from './managed-process.js';
import { ensureTesseraImage, imageCommand, imageVolume, type UnpackedImage } from './tessera-image.js';

/** Namespace and ServiceAccount that deploy/ creates for the scheduler pod. */
export const SCHEDULER_NAMESPACE = 'tessera-system';
export const SCHEDULER_SERVICE_ACCOUNT = 'tessera-scheduler';
/** Tessera's own ServiceAccount (its container gets this token, not the pod's). */
export const EXTENDER_SERVICE_ACCOUNT = 'tessera-extender';

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

/** Options of `startKubeScheduler`. */
export interface KubeSchedulerOptions {
  /** Call Tessera over mutual TLS with this PKI (extender `enableHTTPS` + `tlsConfig`). */
  readonly pki?: ExtenderPki;
  /**
   * Run in a UTS namespace with this host name: kube-scheduler's lease identity is `<hostname>_<uuid>`, so each
   * replica of a pod gets its own (as each pod has its own host name).
   */
  readonly hostname?: string;
  /** Log file name (default kube-scheduler). */
  readonly name?: string;
}

/**
 * Writes deploy/'s KubeSchedulerConfiguration adapted to this run (kubeconfig path, Tessera's local port and,
 * with `pki`, the extender's mutual TLS as docs/deploy.md gives it) and starts the stock kube-scheduler with it,
 * as the kubeconfig's identity.
 */
export async function startKubeScheduler(
  binDir: string,
  cluster: LocalCluster,
  kubeconfig: string,
  tesseraPort: number,
  options: KubeSchedulerOptions = {},
): Promise<ManagedProcess> {
  const configMap = kustomizeObjects(join(REPO_ROOT, 'deploy')).find(
    (o) => o.kind === 'ConfigMap' && o.metadata?.name === 'tessera-scheduler-config',
  ) as (KubernetesObject & { data: Record<string, string> }) | undefined;
  const text = configMap?.data['scheduler-config.yaml'];
  if (text === undefined) throw new Error('deploy/ has no ConfigMap tessera-scheduler-config with scheduler-config.yaml');
  const config = parseYaml(text) as {
    clientConnection?: { kubeconfig?: string };
    extenders: { urlPrefix: string; enableHTTPS?: boolean; tlsConfig?: object }[];
  };
  config.clientConnection = { ...(config.clientConnection ?? {}), kubeconfig };
  const scheme = options.pki === undefined ? 'http' : 'https';
  for (const e of config.extenders) {
    e.urlPrefix = e.urlPrefix.replace(/^https?:\/\/127\.0\.0\.1:\d+/, `${scheme}://127.0.0.1:${String(tesseraPort)}`);
    if (options.pki !== undefined) {
      e.enableHTTPS = true;
      e.tlsConfig = { certFile: options.pki.schedulerCert, keyFile: options.pki.schedulerKey, caFile: options.pki.caCert, serverName: '127.0.0.1' };
    }
  }
  const name = options.name ?? 'kube-scheduler';
  const path = join(cluster.dir, `${name}-config.yaml`);
  writeFileSync(path, stringify(config));
  const port = await freePort();
  const args = [
    `--config=${path}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${String(port)}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--cert-dir=${join(cluster.dir, `${name}-pki`)}`,
    '--v=2',
  ];
  const binary = join(binDir, 'kube-scheduler');
  const scheduler = options.hostname === undefined
    ? startProcess(name, binary, args, { logDir: cluster.logDir })
    : startProcess(name, 'unshare', ['--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', options.hostname, binary, ...args], { logDir: cluster.logDir });
  await waitFor(
    `${name} to start`,
    () => readFileSync(scheduler.logFile, 'utf8').includes('Serving securely'),
    { timeoutMs: 120_000, process: scheduler },
  );
  return scheduler;
}

/** A Tessera `serve --cluster kube` process that can be killed and started again on the same ports. */
export interface TesseraRunner {
  /** Verb port (HTTPS with mutual TLS). */
  readonly port: number;
  readonly url: string;
  /** Ops port (plain HTTP: metrics, health). */
  readonly opsPort: number;
  readonly opsUrl: string;
  readonly image: UnpackedImage;
  current(): ManagedProcess | null;
  start(): Promise<ManagedProcess>;
  /** SIGKILL (a crash, no cleanup). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of `tesseraRunner`. */
export interface TesseraRunnerOptions {
  /** POD_NAME: the lease-holder prefix it follows (kube-scheduler's host name); default this host's name. */
  readonly podName?: string;
  /** Log file name prefix (default tessera). */
  readonly name?: string;
}

/**
 * Runs Tessera from its image (the entrypoint and user of `npm run image`'s image, unpacked; see
 * tessera-image.ts) the way deploy/ runs it: the ServiceAccount's kubeconfig and the TLS files in a read-only
 * volume, follow-mode leader election on kube-scheduler's lease, verbs over mutual TLS on loopback, the ops
 * server apart. POD_NAME is the host name of the kube-scheduler it sits beside (its lease identity is
 * `<hostname>_<uuid>`).
 */
export async function tesseraRunner(cluster: LocalCluster, kubeconfig: string, pki: ExtenderPki, options: TesseraRunnerOptions = {}): Promise<TesseraRunner> {
  const image = await ensureTesseraImage();
  const port = await freePort();
  const opsPort = await freePort();
  const url = `https://127.0.0.1:${String(port)}`;
  const opsUrl = `http://127.0.0.1:${String(opsPort)}`;
  const name = options.name ?? 'tessera';
  const volume = imageVolume(join(cluster.dir, `${name}-volume`), {
    kubeconfig: readFileSync(kubeconfig),
    'tls.crt': readFileSync(pki.serverCert), 'tls.key': readFileSync(pki.serverKey), 'client-ca.crt': readFileSync(pki.caCert),
  });
  const mounted = (file: string): string => `/tmp/tessera/${file}`;
  let proc: ManagedProcess | null = null;
  let starts = 0;
  const runner: TesseraRunner = {
    port, url, opsPort, opsUrl, image,
    current: () => proc,
    async start() {
      starts += 1;
      const { command, args } = imageCommand(image, volume, [
        '--cluster', 'kube', '--kubeconfig', mounted('kubeconfig'), '--port', String(port), '--ops-port', String(opsPort), '--ops-host', '127.0.0.1',
        '--tls-cert-file', mounted('tls.crt'), '--tls-key-file', mounted('tls.key'), '--tls-client-ca-file', mounted('client-ca.crt'),
        '--tls-client-allowed-names', pki.schedulerName, '--log-level', 'info',
      ]);
      // A kubelet passes the image's Env and the container's env, nothing of its own.
      const env: NodeJS.ProcessEnv = {
        ...Object.fromEntries(image.env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])),
        TESSERA_LEADER_ELECTION: 'follow',
        TESSERA_LEASE_NAME: 'tessera-scheduler',
        POD_NAMESPACE: SCHEDULER_NAMESPACE,
        POD_NAME: options.podName ?? hostname(),
      };
      proc = startProcess(starts === 1 ? name : `${name}-${String(starts)}`, command, args, { logDir: cluster.logDir, env });
      const started = proc;
      await waitFor('Tessera /readyz', async () => (await fetch(`${opsUrl}/readyz`)).ok, { timeoutMs: 120_000, intervalMs: 300, process: started });
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
