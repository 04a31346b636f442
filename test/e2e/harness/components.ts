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

/** Options of `startKwok`. */
export interface KwokOptions {
  /**
   * Node lease duration (default 40 s). KWOK renews each node's Lease a few times per duration, as kubelets do:
   * thousands of nodes with short leases are hundreds of writes a second, which benches lengthen to stay quiet.
   */
  readonly nodeLeaseDurationSeconds?: number;
}

/** The kwok controller managing nodes annotated `kwok.x-k8s.io/node=fake` (Ready nodes, Running pods). */
export async function startKwok(binDir: string, cluster: LocalCluster, options: KwokOptions = {}): Promise<ManagedProcess> {
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
      `--node-lease-duration-seconds=${String(options.nodeLeaseDurationSeconds ?? 40)}`,
    ],
    { logDir: cluster.logDir },
  );
  await waitFor('kwok /healthz', async () => (await fetch(`http://127.0.0.1:${String(port)}/healthz`)).ok, { timeoutMs: 60_000, process: kwok });
  return kwok;
}

/** deploy/'s KubeSchedulerConfiguration (the ConfigMap tessera-scheduler-config), parsed. */
export function deploySchedulerConfig(): KubeSchedulerConfig {
  const configMap = kustomizeObjects(join(REPO_ROOT, 'deploy')).find(
    (o) => o.kind === 'ConfigMap' && o.metadata?.name === 'tessera-scheduler-config',
  ) as (KubernetesObject & { data: Record<string, string> }) | undefined;
  const text = configMap?.data['scheduler-config.yaml'];
  if (text === undefined) throw new Error('deploy/ has no ConfigMap tessera-scheduler-config with scheduler-config.yaml');
  return parseYaml(text) as KubeSchedulerConfig;
}

/** The parts of a KubeSchedulerConfiguration the harness rewrites; everything else is passed through. */
export interface KubeSchedulerConfig {
  clientConnection?: { kubeconfig?: string; qps?: number; burst?: number };
  extenders?: { urlPrefix: string; [key: string]: unknown }[];
  [key: string]: unknown;
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
  const config = deploySchedulerConfig();
  const scheme = options.pki === undefined ? 'http' : 'https';
  for (const e of config.extenders ?? []) {
    e.urlPrefix = e.urlPrefix.replace(/^https?:\/\/127\.0\.0\.1:\d+/, `${scheme}://127.0.0.1:${String(tesseraPort)}`);
    if (options.pki !== undefined) {
      e['enableHTTPS'] = true;
      e['tlsConfig'] = { certFile: options.pki.schedulerCert, keyFile: options.pki.schedulerKey, caFile: options.pki.caCert, serverName: '127.0.0.1' };
    }
  }
  return startKubeSchedulerWithConfig(binDir, cluster, kubeconfig, config, {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
  });
}

/**
 * Starts the stock kube-scheduler with `config` (its clientConnection.kubeconfig set to `kubeconfig`), written
 * to `<run>/<name>.yaml`, and waits until it serves. `name` names the log and config files (unique per start when
 * several run in turn); `hostname` runs it in a UTS namespace with that host name (its lease identity is
 * `<hostname>_<uuid>`); `extraArgs` are appended to the command line.
 */
export async function startKubeSchedulerWithConfig(
  binDir: string,
  cluster: LocalCluster,
  kubeconfig: string,
  config: KubeSchedulerConfig,
  options: { readonly name?: string; readonly hostname?: string; readonly extraArgs?: readonly string[] } = {},
): Promise<ManagedProcess & { readonly securePort: number }> {
  const name = options.name ?? 'kube-scheduler';
  const written = { ...config, clientConnection: { ...(config.clientConnection ?? {}), kubeconfig } };
  const path = join(cluster.dir, `${name}-config.yaml`);
  writeFileSync(path, stringify(written));
  const port = await freePort();
  const args = [
    `--config=${path}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${String(port)}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--cert-dir=${join(cluster.dir, `${name}-pki`)}`,
    '--v=2',
    ...(options.extraArgs ?? []),
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
  return Object.assign(scheduler, { securePort: port });
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
  /** The container's TESSERA_* environment (default `deployedTesseraEnv()`: Tessera as deploy/ runs it). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The literal TESSERA_* environment deploy/deployment.yaml gives the tessera container, except what the runners
 * set themselves for a local process (listen address, leader election): the settings that make Tessera "as deployed".
 */
export function deployedTesseraEnv(): Record<string, string> {
  type Container = { name: string; env?: { name: string; value?: string }[] };
  const deployment = kustomizeObjects(join(REPO_ROOT, 'deploy')).find((o) => o.kind === 'Deployment') as
    (KubernetesObject & { spec: { template: { spec: { containers: Container[] } } } }) | undefined;
  const container = deployment?.spec.template.spec.containers.find((c) => c.name === 'tessera');
  if (container === undefined) throw new Error('deploy/ has no Deployment with a tessera container');
  const runnerOwned = new Set(['TESSERA_HOST', 'TESSERA_PORT', 'TESSERA_OPS_HOST', 'TESSERA_OPS_PORT', 'TESSERA_LEADER_ELECTION', 'TESSERA_LEASE_NAME']);
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.name.startsWith('TESSERA_') && e.value !== undefined && !runnerOwned.has(e.name)) env[e.name] = e.value;
  }
  return env;
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
        ...(options.env ?? deployedTesseraEnv()),
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

/** Options of `tesseraProcessRunner` (benches). */
export interface TesseraProcessOptions {
  /** `source` (default): `node --import tsx src/main.ts`; `compiled`: `node dist/src/main.js`, as `npm start` runs it (build first). */
  readonly entry?: 'source' | 'compiled';
  /** Flags for node itself (e.g. `--cpu-prof`), before the script. */
  readonly nodeArgs?: readonly string[];
  /** Flags appended to `serve`. */
  readonly serveArgs?: readonly string[];
  /** Log file name of the first start (default `tessera`). */
  readonly name?: string;
  /** How long to wait for /readyz (default 120 s; a large fleet takes longer to list). */
  readonly readyTimeoutMs?: number;
  /** Extra environment (e.g. deploy/'s TESSERA_* settings, `deployedTesseraEnv`). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A Tessera process run from this checkout (plain HTTP on loopback), for benches that compare builds and flags. */
export type TesseraProcessRunner = Omit<TesseraRunner, 'image'>;

/**
 * Runs Tessera from this checkout, source or compiled, as a plain process: verbs over plain HTTP on loopback, the
 * ops server apart, follow-mode leader election on kube-scheduler's lease.
 */
export async function tesseraProcessRunner(cluster: LocalCluster, kubeconfig: string, options: TesseraProcessOptions = {}): Promise<TesseraProcessRunner> {
  const name = options.name ?? 'tessera';
  const script = options.entry === 'compiled' ? [join(REPO_ROOT, 'dist', 'src', 'main.js')] : ['--import', 'tsx', join(REPO_ROOT, 'src', 'main.ts')];
  const port = await freePort();
  const opsPort = await freePort();
  const url = `http://127.0.0.1:${String(port)}`;
  const opsUrl = `http://127.0.0.1:${String(opsPort)}`;
  let proc: ManagedProcess | null = null;
  let starts = 0;
  return {
    port, url, opsPort, opsUrl,
    current: () => proc,
    async start() {
      starts += 1;
      proc = startProcess(
        starts === 1 ? name : `${name}-${String(starts)}`,
        process.execPath,
        [
          ...(options.nodeArgs ?? []), ...script,
          'serve', '--cluster', 'kube', '--kubeconfig', kubeconfig, '--host', '127.0.0.1', '--port', String(port),
          '--ops-host', '127.0.0.1', '--ops-port', String(opsPort), '--log-level', 'info',
          ...(options.serveArgs ?? []),
        ],
        {
          logDir: cluster.logDir,
          cwd: REPO_ROOT,
          env: {
            ...process.env,
            ...(options.env ?? {}),
            TESSERA_LEADER_ELECTION: 'follow',
            TESSERA_LEASE_NAME: 'tessera-scheduler',
            POD_NAMESPACE: SCHEDULER_NAMESPACE,
            POD_NAME: hostname(),
          },
        },
      );
      const started = proc;
      await waitFor('Tessera /readyz', async () => (await fetch(`${opsUrl}/readyz`)).ok, { timeoutMs: options.readyTimeoutMs ?? 120_000, intervalMs: 300, process: started });
      return started;
    },
    async kill() {
      await proc?.kill();
    },
    async stop() {
      await proc?.stop();
    },
  };
}
