/**
 * Hostile input against a running Tessera (`npx tsx bench/hostile-input.ts [--nodes 5000]`): the attacks of
 * issue 14, each against the limits now in force, printing the time to answer, the server's RSS before and
 * after, and how /healthz (ops port) answered while the attack ran. Tessera runs in a child process (`tessera
 * serve --cluster sim:<fleet>` under tsx) over a simulated fleet of `--nodes` nodes, with default limits.
 *
 * Attacks: a 50 MB filter body of 4.46 million unknown names (with a Content-Length, and chunked without one);
 * JSON nested 10,000 levels deep; 50 bodies trickling in at a byte every 100 ms; a 50 MB body sent as text/plain.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback);
};
const NODES = Number(arg('--nodes', '5000'));

/** A fleet file of `n` nodes: a quarter H100, a quarter A100, half L4 (as bench/extender-latency.ts). */
function fleetFile(dir: string, n: number): string {
  const pool = (name: string, count: number, product: string, gpus: number, preset: string, extra = ''): string =>
    `  - { name: ${name}, count: ${count}, gpuProduct: ${product}, gpuCount: ${gpus}, topologyPreset: ${preset}${extra} }\n`;
  const text = 'apiVersion: tessera.io/v1alpha1\nkind: SimulatedFleet\npools:\n'
    + pool('h100', Math.floor(n / 4), 'NVIDIA-H100-80GB-HBM3', 8, 'hgx-h100-8x-sxm')
    + pool('a100', Math.floor(n / 4), 'NVIDIA-A100-80GB-PCIe', 4, 'a100-pcie-4x-bridge-pairs')
    + pool('l4', n - 2 * Math.floor(n / 4), 'NVIDIA-L4', 8, 'l4-8x-pcie-2socket', ', capacityType: spot');
  const path = join(dir, 'fleet.yaml');
  writeFileSync(path, text);
  return path;
}

const rss = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

/** Polls /healthz every 20 ms until stopped; returns the latencies (ms) and how many polls got no answer in 2 s. */
function pollHealth(opsUrl: string): { stop(): Promise<{ latencies: number[]; failed: number }> } {
  const latencies: number[] = [];
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const r = await fetch(`${opsUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
        await r.text();
        latencies.push(performance.now() - started);
      } catch {
        failed += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return { async stop() { running = false; await loop; return { latencies, failed }; } };
}

/** Sends raw bytes over one connection; resolves with the status line and when the answer (or the close) came. */
function rawRequest(port: number, send: (s: Socket) => void): Promise<{ status: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const s = connect(port, '127.0.0.1', () => send(s));
    let text = '';
    let answeredAt = 0;
    s.on('data', (c: Buffer) => {
      if (text === '') answeredAt = performance.now();
      text += c.toString('latin1');
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve({ status: text.split('\r\n')[0] || '(closed without an answer)', ms: (answeredAt || performance.now()) - started }));
  });
}

function floodBody(): Buffer {
  // 4.46 million unknown names of 8 characters: about 50 MB, as in the issue.
  const count = 4_460_000;
  const parts: string[] = ['{"Pod":{"metadata":{"name":"flood","namespace":"default","uid":"flood"},"spec":{"containers":[]}},"Nodes":null,"NodeNames":['];
  for (let i = 0; i < count; i += 1) parts.push(`${i === 0 ? '' : ','}"x${String(i).padStart(7, '0')}"`);
  parts.push(']}');
  return Buffer.from(parts.join(''));
}

const head = (path: string, length: number | null, type = 'application/json'): string =>
  `POST ${path} HTTP/1.1\r\nHost: bench\r\nContent-Type: ${type}\r\n${length === null ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`}\r\nConnection: close\r\n\r\n`;

/** Writes `body` as fast as the socket takes it (chunked when `chunked`). */
function pour(s: Socket, body: Buffer, chunked: boolean): void {
  const CHUNK = 64 * 1024;
  let at = 0;
  const next = (): void => {
    while (at < body.length && !s.destroyed) {
      const piece = body.subarray(at, at + CHUNK);
      at += piece.length;
      const ok = chunked ? s.write(`${piece.length.toString(16)}\r\n`) && s.write(piece) && s.write('\r\n') : s.write(piece);
      if (!ok) return void s.once('drain', next);
    }
    if (chunked && !s.destroyed) s.write('0\r\n\r\n');
  };
  next();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-hostile-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts'), 'serve', '--cluster', `sim:${fleetFile(dir, NODES)}`, '--port', '0', '--ops-port', '0', '--ops-host', '127.0.0.1'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const { port, opsUrl } = await new Promise<{ port: number; opsUrl: string }>((resolve, reject) => {
      let err = '';
      child.stderr?.on('data', (c: Buffer) => {
        err += c.toString('utf8');
        const m = /"url":"http:\/\/127\.0\.0\.1:(\d+)\/scheduler","ops":"([^"]+)"/.exec(err);
        if (m !== null) resolve({ port: Number(m[1]), opsUrl: m[2] as string });
      });
      child.once('exit', (code) => reject(new Error(`tessera exited ${String(code)}: ${err}`)));
    });
    const pid = child.pid as number;
    await fetch(`${opsUrl}/readyz`);
    const flood = floodBody();
    const deep = Buffer.from(`{"Pod":${'['.repeat(10_000)}${']'.repeat(10_000)},"Nodes":null,"NodeNames":["h100-0"]}`);
    const attacks: [string, () => Promise<string>][] = [
      [`filter, ${(flood.length / 1e6).toFixed(1)} MB of 4.46 M unknown names, Content-Length`, async () => (await rawRequest(port, (s) => { s.write(head('/scheduler/filter', flood.length)); pour(s, flood, false); })).status],
      ['the same body chunked (no Content-Length)', async () => (await rawRequest(port, (s) => { s.write(head('/scheduler/filter', null)); pour(s, flood, true); })).status],
      ['filter, JSON nested 10,000 levels deep', async () => (await rawRequest(port, (s) => { s.write(head('/scheduler/filter', deep.length)); s.end(deep); })).status],
      ['50 filter bodies trickling in at a byte every 100 ms', async () => {
        // 300 bytes at 10 a second would take 30 s: past requestTimeoutSeconds (10 s).
        const body = Buffer.from(`{"Pod":{"metadata":{"name":"slow","annotations":{"pad":"${'x'.repeat(220)}"}}},"Nodes":null,"NodeNames":["h100-0"]}`);
        const all = await Promise.all(Array.from({ length: 50 }, () => rawRequest(port, (s) => {
          s.write(head('/scheduler/filter', body.length));
          let i = 0;
          const drip = setInterval(() => (s.destroyed || i >= body.length ? clearInterval(drip) : s.write(body.subarray(i, ++i))), 100);
        })));
        return `${all.filter((a) => a.status.includes(' 408 ')).length}/50 ${all[0]?.status ?? ''}`;
      }],
      [`filter, ${(flood.length / 1e6).toFixed(1)} MB sent as text/plain`, async () => (await rawRequest(port, (s) => { s.write(head('/scheduler/filter', flood.length, 'text/plain')); pour(s, flood, false); })).status],
    ];
    console.log(`Tessera over a simulated fleet of ${NODES} nodes (default limits: body ${(2 * 1024 * 1024 + 256 * NODES).toLocaleString()} bytes, ${Math.min(100_000, 1024 + 2 * NODES)} names)`);
    console.log('| attack | answer | time to answer | Tessera RSS before -> after | /healthz during the attack (max, p99, unanswered) |');
    console.log('|---|---|---|---|---|');
    for (const [name, attack] of attacks) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const before = rss(pid);
      const health = pollHealth(opsUrl);
      const started = performance.now();
      const answer = await attack();
      const ms = performance.now() - started;
      const { latencies, failed } = await health.stop();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const after = rss(pid);
      latencies.sort((a, b) => a - b);
      const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? NaN;
      console.log(`| ${name} | ${answer.replace(/^HTTP\/1\.1 /, '')} | ${(ms / 1000).toFixed(2)} s | ${before.toFixed(0)} -> ${after.toFixed(0)} MiB | ${(latencies[latencies.length - 1] ?? NaN).toFixed(1)} ms, ${p99.toFixed(1)} ms, ${failed} |`);
    }
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
