/**
 * The floor of the extender design for bench/throughput.ts: a kube-scheduler extender that does no scheduling
 * work. filter passes every name it is sent (the NodeNames array is copied from the request's bytes, not parsed),
 * prioritize scores every name 0, and bind creates the pods/binding subresource with one POST over a keep-alive
 * connection. Whatever a real extender adds on top of this is its own work. Usage (its own process):
 *   APISERVER=https://127.0.0.1:6443 TOKEN=... node --import tsx bench/do-nothing-extender.ts --port 0
 * It prints `listening on <port>` once it serves.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { RawApi } from '../test/e2e/harness/raw-api.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } } });
const server = process.env['APISERVER'];
const token = process.env['TOKEN'];
if (server === undefined || token === undefined) {
  process.stderr.write('do-nothing-extender: set APISERVER and TOKEN\n');
  process.exit(2);
}
const api = new RawApi(server, token);
const NAMES_KEY = Buffer.from('"NodeNames":');

/** The JSON array text after `"NodeNames":` (kube-scheduler writes it last), or `[]`. */
function nodeNamesText(body: Buffer): string {
  const at = body.lastIndexOf(NAMES_KEY);
  if (at === -1) return '[]';
  const start = at + NAMES_KEY.length;
  if (body[start] !== 0x5b) return '[]'; // null, not an array
  const end = body.indexOf(0x5d, start); // names hold no ']'
  return body.subarray(start, end + 1).toString('latin1');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url ?? '/';
  if (req.method === 'GET') {
    send(res, '"ok"');
    return;
  }
  const body = await readBody(req);
  if (path.endsWith('/filter')) {
    send(res, `{"Nodes":null,"NodeNames":${nodeNamesText(body)},"FailedNodes":{},"FailedAndUnresolvableNodes":{},"Error":""}`);
  } else if (path.endsWith('/prioritize')) {
    const names = JSON.parse(nodeNamesText(body)) as string[];
    send(res, `[${names.map((n) => `{"Host":${JSON.stringify(n)},"Score":0}`).join(',')}]`);
  } else if (path.endsWith('/bind')) {
    const args = JSON.parse(body.toString('utf8')) as { PodName: string; PodNamespace: string; PodUID: string; Node: string };
    const r = await api.send('POST', `/api/v1/namespaces/${args.PodNamespace}/pods/${args.PodName}/binding`, {
      apiVersion: 'v1', kind: 'Binding',
      metadata: { name: args.PodName, namespace: args.PodNamespace, uid: args.PodUID },
      target: { apiVersion: 'v1', kind: 'Node', name: args.Node },
    });
    send(res, JSON.stringify({ Error: r.status >= 200 && r.status < 300 ? '' : `binding answered ${String(r.status)}: ${r.body.toString('utf8').slice(0, 200)}` }));
  } else {
    send(res, '{"Error":"unknown verb"}');
  }
}

const http = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  handle(req, res).catch((err: unknown) => {
    res.writeHead(500);
    res.end(String(err));
  });
});
http.listen(Number(values.port ?? '0'), values.host ?? '127.0.0.1', () => {
  process.stdout.write(`listening on ${String((http.address() as AddressInfo).port)}\n`);
});
process.on('SIGTERM', () => http.close(() => process.exit(0)));
