/**
 * The transport floor under the load scripts: a unary call that does no work (the answer is `--answer-bytes` of
 * filler, or the request echoed), over @grpc/grpc-js and over node:http (keep-alive, TCP_NODELAY), serially on one
 * connection, the server in its own process. Prints, per transport, the call's p50/p99 and the CPU each side
 * spends per call; asserts nothing. Interleaved rounds, so that the two are compared under the same machine load.
 * A 5,000-name filter is about 50 KB of request and 250 KB of answer: `--bytes 50000 --answer-bytes 250000`.
 *
 *   npx tsx bench/load/transport-floor.ts [--bytes 100] [--answer-bytes N] [--calls 3000] [--rounds 2] [--window BYTES]
 *
 * `--window` sets the gRPC client's HTTP/2 flow-control window (grpc-node.flow_control_window; default 16 MiB, as
 * the load driver sets it; 65535 is HTTP/2's default).
 */
import { fork } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  Client, credentials, Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition,
} from '@grpc/grpc-js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const same = (b: Buffer): Buffer => b;
const ECHO: ServiceDefinition = {
  echo: { path: '/floor.Echo/Echo', requestStream: false, responseStream: false, requestSerialize: same, requestDeserialize: same, responseSerialize: same, responseDeserialize: same },
};
/** The channel options the gRPC load driver and Tessera's server use. */
const LEAN = { 'grpc.enable_channelz': 0, 'grpc.enable_retries': 0 };

type FromServer = { grpc: number; http: number } | { cpuMs: number };

function serve(answerBytes: number): void {
  const filler = answerBytes > 0 ? Buffer.alloc(answerBytes, 0x62) : null;
  const grpc = new Server({ 'grpc.enable_channelz': 0 });
  grpc.addService(ECHO, { echo: (call: ServerUnaryCall<Buffer, Buffer>, done: sendUnaryData<Buffer>) => done(null, filler ?? call.request) });
  const http = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = filler ?? Buffer.concat(chunks);
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    });
  });
  let mark = process.cpuUsage();
  process.on('message', (m: string) => {
    if (m === 'cpu') {
      const used = process.cpuUsage(mark);
      mark = process.cpuUsage();
      process.send?.({ cpuMs: (used.user + used.system) / 1000 } satisfies FromServer);
    } else {
      process.exit(0);
    }
  });
  http.listen(0, '127.0.0.1', () => {
    grpc.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
      if (err !== null) throw err;
      process.send?.({ grpc: port, http: (http.address() as AddressInfo).port } satisfies FromServer);
    });
  });
}

async function measure(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', '--answer-bytes', String(flag('--answer-bytes', 0))], { stdio: 'inherit' });
  const next = (): Promise<FromServer> => new Promise((resolve) => child.once('message', (m) => resolve(m as FromServer)));
  const ports = await next() as { grpc: number; http: number };
  const body = Buffer.alloc(flag('--bytes', 100), 0x61);
  const calls = flag('--calls', 3000);
  const client = new Client(`127.0.0.1:${ports.grpc}`, credentials.createInsecure(), { ...LEAN, 'grpc-node.flow_control_window': flag('--window', 16 * 1024 * 1024) });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const transports: Record<string, () => Promise<void>> = {
    'grpc-js': () => new Promise((resolve, reject) => {
      client.makeUnaryRequest('/floor.Echo/Echo', same, same, body, (err) => (err === null ? resolve() : reject(err)));
    }),
    'node:http': () => new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: ports.http, method: 'POST', path: '/', agent, headers: { 'content-length': body.length } }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve());
      });
      req.on('socket', (socket) => socket.setNoDelay(true));
      req.on('error', reject);
      req.end(body);
    }),
  };
  const pct = (sorted: number[], p: number): string => (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number).toFixed(3);
  const answer = flag('--answer-bytes', 0);
  console.log(`transport floor: ${body.length} bytes in, ${answer > 0 ? answer : body.length} out, ${calls} serial calls on one connection, server in its own process; gRPC window ${flag('--window', 16 * 1024 * 1024)}`);
  for (let round = 1; round <= flag('--rounds', 2); round += 1) {
    for (const [name, call] of Object.entries(transports)) {
      for (let i = 0; i < 300; i += 1) await call();
      child.send('cpu');
      await next();
      const times: number[] = [];
      const cpu = process.cpuUsage();
      for (let i = 0; i < calls; i += 1) {
        const started = process.hrtime.bigint();
        await call();
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      const client = process.cpuUsage(cpu);
      child.send('cpu');
      const server = await next() as { cpuMs: number };
      times.sort((a, b) => a - b);
      console.log(`round ${round} ${name.padEnd(9)} p50 ${pct(times, 0.5)} ms  p99 ${pct(times, 0.99)} ms  CPU per call: client ${((client.user + client.system) / 1000 / calls).toFixed(3)} ms, server ${(server.cpuMs / calls).toFixed(3)} ms`);
    }
  }
  client.close();
  agent.destroy();
  child.send('stop');
}

if (argv.includes('--serve')) serve(flag('--answer-bytes', 0));
else await measure();
