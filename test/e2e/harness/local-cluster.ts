import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { freePort, type ManagedProcess, startProcess, waitFor } from './managed-process.js';

/** Repository root (test/e2e/harness -> ../../..). */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
/** Scratch space of e2e runs (git-ignored). */
export const E2E_DIR = join(REPO_ROOT, '.e2e');

/**
 * Builds (or finds in the per-user cache) kube-apiserver, kube-scheduler, etcd and kwok through
 * scripts/e2e/install-binaries.sh; returns the bin directory. The first build takes tens of minutes.
 */
export async function ensureBinaries(timeoutMs = 85 * 60_000): Promise<string> {
  const script = join(REPO_ROOT, 'scripts', 'e2e', 'install-binaries.sh');
  // Progress (Go's download and build lines) goes to our stderr, so a cold build is visibly alive.
  const stdout = await new Promise<string>((resolvePromise, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'], timeout: timeoutMs });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolvePromise(out);
      else reject(new Error(`scripts/e2e/install-binaries.sh failed (${String(code ?? signal)}): see the output above`));
    });
  });
  const lines = stdout.trim().split('\n');
  const binDir = lines[lines.length - 1] ?? '';
  if (binDir === '') throw new Error(`install-binaries.sh printed no bin directory: ${stdout}`);
  return binDir;
}

/** A kube-apiserver + etcd on loopback with an admin token; `stop()` ends both and removes the data. */
export interface LocalCluster {
  readonly dir: string;
  readonly logDir: string;
  readonly server: string;
  readonly adminKubeconfig: string;
  readonly kubeConfig: KubeConfig;
  /** Writes a kubeconfig for `token` (e.g. a service account's) and returns its path. */
  writeKubeconfig(name: string, token: string): string;
  /** Stops kube-apiserver and starts it again on the same port and etcd (every watch breaks); waits for /readyz. */
  restartApiserver(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts etcd and kube-apiserver (RBAC on, ServiceAccount tokens signed by a fresh key) on 127.0.0.1. */
export async function startLocalCluster(binDir: string, runName: string): Promise<LocalCluster> {
  const dir = join(E2E_DIR, runName);
  rmSync(dir, { recursive: true, force: true });
  const logDir = join(dir, 'logs');
  mkdirSync(join(dir, 'pki'), { recursive: true });
  const started: ManagedProcess[] = [];
  const stopAll = async (): Promise<void> => {
    for (const p of started.reverse()) await p.stop();
  };
  try {
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = startProcess(
      'etcd',
      join(binDir, 'etcd'),
      [
        '--name=e2e',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${String(etcdPort)}`,
        `--advertise-client-urls=http://127.0.0.1:${String(etcdPort)}`,
        `--listen-peer-urls=http://127.0.0.1:${String(peerPort)}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${String(peerPort)}`,
        `--initial-cluster=e2e=http://127.0.0.1:${String(peerPort)}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      { logDir },
    );
    started.push(etcd);
    await waitFor(
      'etcd health',
      async () => {
        const res = await fetch(`http://127.0.0.1:${String(etcdPort)}/health`);
        return res.ok;
      },
      { timeoutMs: 60_000, process: etcd },
    );

    const adminToken = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${adminToken},e2e-admin,e2e-admin,"system:masters"\n`, { mode: 0o600 });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'pki', 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(join(dir, 'pki', 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const apiserverArgs = [
        `--etcd-servers=http://127.0.0.1:${String(etcdPort)}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${String(apiPort)}`,
        `--cert-dir=${join(dir, 'pki')}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${join(dir, 'pki', 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'pki', 'sa.key')}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        // No controller-manager runs: no "default" ServiceAccount is ever created for pods to use, and nothing
        // would lift the not-ready taint TaintNodesByCondition puts on new nodes.
        '--disable-admission-plugins=ServiceAccount,TaintNodesByCondition',
        '--enable-priority-and-fairness=false',
        '--endpoint-reconciler-type=none',
        '--profiling=false',
        '--v=1',
    ];
    const server = `https://127.0.0.1:${String(apiPort)}`;
    let apiserver: ManagedProcess | null = null;
    const startApiserver = async (): Promise<void> => {
      const proc = startProcess('kube-apiserver', join(binDir, 'kube-apiserver'), apiserverArgs, { logDir });
      apiserver = proc;
      started.push(proc);
      await waitFor('kube-apiserver /readyz', () => httpsStatus(`${server}/readyz`, adminToken).then((s) => s === 200), {
        timeoutMs: 180_000,
        intervalMs: 500,
        process: proc,
      });
    };
    await startApiserver();
    const restartApiserver = async (): Promise<void> => {
      const old = apiserver;
      if (old !== null) {
        await old.stop();
        started.splice(started.indexOf(old), 1);
      }
      await startApiserver();
    };

    const writeKubeconfig = (name: string, token: string): string => {
      const path = join(dir, `${name}.kubeconfig`);
      writeFileSync(
        path,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          `- name: e2e`,
          `  cluster: {server: "${server}", insecure-skip-tls-verify: true}`,
          'users:',
          `- name: ${name}`,
          `  user: {token: "${token}"}`,
          'contexts:',
          `- name: ${name}`,
          `  context: {cluster: e2e, user: ${name}}`,
          `current-context: ${name}`,
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      return path;
    };
    const adminKubeconfig = writeKubeconfig('admin', adminToken);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(adminKubeconfig);
    // RBAC bootstrap roles (system:kube-scheduler, …) exist once readyz passed; the default namespace too.
    await waitFor('namespace "default"', async () => (await kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: 'default' })).metadata?.name === 'default', {
      timeoutMs: 60_000,
    });
    return { dir, logDir, server, adminKubeconfig, kubeConfig, writeKubeconfig, restartApiserver, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** GET `url` with a bearer token, certificate not checked (the apiserver's own self-signed one on loopback). */
function httpsStatus(url: string, token: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method: 'GET', rejectUnauthorized: false, headers: { authorization: `Bearer ${token}` }, timeout: 5_000 }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}
