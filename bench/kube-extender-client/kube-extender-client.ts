/**
 * The TypeScript side of bench/kube-extender-client/main.go: builds the Go program (through
 * scripts/bench/build-kube-extender-client.sh), starts it and speaks its JSON-lines protocol. The Go program is
 * kube-scheduler's own extender client (scheduler.NewHTTPExtender from k8s.io/kubernetes v1.35.4) configured
 * from deploy/scheduler-config.yaml, so a pair it times is what kube-scheduler spends on filter then prioritize.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The repository root: the first directory upwards holding package.json (works from bench/ and dist/bench/). */
const REPO_ROOT = ((): string => {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the repository root (package.json) upwards from "${start}"`);
  }
})();

/** The build script; its last stdout line is the binary's path. */
export const BUILD_SCRIPT = join(REPO_ROOT, 'scripts', 'bench', 'build-kube-extender-client.sh');

/** What init answers: the extender configuration kube-scheduler's loader produced, after the overrides. */
export interface KubeExtenderReady {
  readonly nodes: number;
  readonly urlPrefix: string;
  readonly nodeCacheCapable: boolean;
  readonly weight: number;
  readonly httpTimeoutNs: number;
}

/** One filter-then-prioritize pair for one pod, then the (untimed) bind to the best-scored host. */
export interface KubeExtenderPair {
  /** Filter plus prioritize, Go monotonic clock, nanoseconds. */
  readonly elapsedNs: number;
  readonly filterNs: number;
  readonly prioritizeNs: number;
  /** Nodes that passed filter. */
  readonly feasible: number;
  /** False when filter left one node or none (kube-scheduler then skips prioritize). */
  readonly prioritized: boolean;
  /** The host bound to; '' when the pod was not scheduled. */
  readonly host: string;
  /** The extender's bind error; '' on success. */
  readonly bindError: string;
  /** Why the pod was not scheduled (not interested, filter failed, nothing feasible); '' when it was. */
  readonly error: string;
}

/** A running Go client. */
export interface KubeExtenderClient {
  readonly ready: KubeExtenderReady;
  pair(pod: unknown): Promise<KubeExtenderPair>;
  /** Closes stdin and waits for the program to exit. */
  close(): Promise<void>;
}

/** Options of `startKubeExtenderClient`. */
export interface KubeExtenderClientOptions {
  /** The binary `buildKubeExtenderClient()` returned. */
  readonly binary: string;
  /** The extender's urlPrefix, e.g. `http://127.0.0.1:40123/scheduler`. */
  readonly urlPrefix: string;
  /** v1.Node objects, one NodeInfo each; filter gets all of them. */
  readonly nodes: readonly unknown[];
  /** Overrides the configuration's nodeCacheCapable (false sends full v1.Node bodies). */
  readonly nodeCacheCapable?: boolean;
  /** KubeSchedulerConfiguration YAML; default `deploySchedulerConfig()`. */
  readonly config?: string;
  /** Writes a Go CPU profile of the program's whole run to this file (`go tool pprof` reads it). */
  readonly cpuProfile?: string;
}

/** Builds the Go client when missing or stale and returns its path (progress goes to this process's stderr). */
export function buildKubeExtenderClient(): string {
  const out = execFileSync('bash', [BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  const path = out.trim().split('\n').at(-1) ?? '';
  if (path === '') throw new Error(`cannot build the kube extender client: "${BUILD_SCRIPT}" printed no path`);
  return path;
}

/** Names the client for printed figures: `kube-scheduler v1.35.4 HTTPExtender`. */
export function kubeExtenderClientLabel(binary: string): string {
  // The build script keeps one binary per Kubernetes version: <cache>/tessera/bench/<version>/kube-extender-client.
  return `kube-scheduler v${basename(dirname(binary))} HTTPExtender`;
}

/** The KubeSchedulerConfiguration that deploy/scheduler-config.yaml's ConfigMap mounts into kube-scheduler. */
export function deploySchedulerConfig(): string {
  const file = join(REPO_ROOT, 'deploy', 'scheduler-config.yaml');
  const configMap = parseYaml(readFileSync(file, 'utf8')) as { data?: Record<string, unknown> };
  const text = configMap.data?.['scheduler-config.yaml'];
  if (typeof text !== 'string') throw new Error(`cannot read the scheduler configuration: "${file}" has no data."scheduler-config.yaml"`);
  return text;
}

/** Starts the Go client and sends init; rejects when the program refuses the configuration or dies. */
export async function startKubeExtenderClient(o: KubeExtenderClientOptions): Promise<KubeExtenderClient> {
  const child = spawn(o.binary, o.cpuProfile === undefined ? [] : ['-cpuprofile', o.cpuProfile], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  let dead: Error | null = null;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    dead = new Error(`kube extender client "${o.binary}" exited: code ${code}, signal ${signal}`);
    for (const w of waiting.splice(0)) w.reject(dead);
    resolve();
  }));
  child.once('error', (e) => {
    dead = new Error(`cannot run the kube extender client "${o.binary}": ${e.message}`);
    for (const w of waiting.splice(0)) w.reject(dead);
  });
  const ask = async <T>(command: Record<string, unknown>, type: string): Promise<T> => {
    if (dead !== null) throw dead;
    const line = new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
    child.stdin.write(`${JSON.stringify(command)}\n`);
    const { type: got, ...reply } = JSON.parse(await line) as { type: string; error?: string };
    if (got !== type) throw new Error(`kube extender client answered ${got} to ${String(command.type)}: ${reply.error ?? JSON.stringify(reply)}`);
    return reply as T;
  };
  const init = { type: 'init', config: o.config ?? deploySchedulerConfig(), urlPrefix: o.urlPrefix, nodes: o.nodes, ...(o.nodeCacheCapable === undefined ? {} : { nodeCacheCapable: o.nodeCacheCapable }) };
  let ready: KubeExtenderReady;
  try {
    ready = await ask<KubeExtenderReady>(init, 'ready');
  } catch (e) {
    child.stdin.end();
    await exited;
    throw e;
  }
  return {
    ready,
    pair: (pod) => ask<KubeExtenderPair>({ type: 'pair', pod }, 'pair'),
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}
