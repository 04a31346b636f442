import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindArgs, namesArgs } from '../server/kube-fixtures.js';
import { SCENARIO_PODS, scenarioKubePod } from '../dashboard/dashboard-scenario.js';

/**
 * The OTLP export end to end: Tessera runs as `tessera serve` configured only by the standard OTEL_* variables,
 * and a real OTLP/HTTP receiver (this test's server, decoding what the exporter sends) collects the spans.
 */

interface OtlpAttribute { key: string; value: { stringValue?: string; intValue?: string | number; boolValue?: boolean } }
interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes: OtlpAttribute[] }
interface ReceivedSpan extends OtlpSpan { readonly resource: Record<string, string> }

/** A minimal OTLP/HTTP trace receiver: POST /v1/traces with an ExportTraceServiceRequest in JSON. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly contentTypes: string[] = [];
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        this.contentTypes.push(String(req.headers['content-type']));
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const rs of body.resourceSpans) {
          const resource = Object.fromEntries(rs.resource.attributes.map((a) => [a.key, String(a.value.stringValue ?? a.value.intValue ?? a.value.boolValue)]));
          for (const ss of rs.scopeSpans) for (const span of ss.spans) this.spans.push({ ...span, resource });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** `tessera serve` from source with `env`; resolves with its URL once it listens. */
function serve(env: Record<string, string>): { child: ChildProcess; url: Promise<string>; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--port', '0', '--host', '127.0.0.1', '--ops-port', '0', '--ops-host', '127.0.0.1', '--cluster', 'sim:docs/examples/dashboard/fleet.yaml'], {
    env: { ...process.env, KUBECONFIG: '', HOME: tmpdir(), OTEL_SERVICE_NAME: '', OTEL_RESOURCE_ATTRIBUTES: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /"msg":"tessera listening","port":(\d+)/.exec(out);
      if (m !== null) resolve(`http://127.0.0.1:${m[1]}`);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`tessera exited with ${code} before listening:\n${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, url, exited, output: () => out };
}

function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const attr = (s: OtlpSpan, key: string): string | undefined => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v === undefined ? undefined : String(v.stringValue ?? v.intValue ?? v.boolValue);
};

const receiver = new OtlpReceiver();
const [train, infer] = SCENARIO_PODS as [typeof SCENARIO_PODS[0], typeof SCENARIO_PODS[0]];
let code: number | null = null;
let output = '';

beforeAll(async () => {
  const endpoint = await receiver.start();
  const t = serve({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' });
  const url = await t.url;
  for (const p of [train, infer]) {
    const pod = scenarioKubePod(p);
    const filter = await post(`${url}/scheduler/filter`, namesArgs(pod, ['h100-0', 'a100-0']));
    const node = (filter.json as { NodeNames: string[] }).NodeNames[0] as string;
    await post(`${url}/scheduler/prioritize`, namesArgs(pod, [node]));
    const bound = await post(`${url}/scheduler/bind`, bindArgs(pod, node));
    expect(bound.json).toEqual({ Error: '' });
  }
  // tsx relays signals once its loader is up; SIGTERM then flushes the batch of spans before exiting.
  await new Promise((r) => setTimeout(r, 300));
  t.child.kill('SIGTERM');
  code = await t.exited;
  output = t.output();
}, 60_000);

afterAll(async () => {
  await receiver.stop();
});

describe('OTLP trace export (OTEL_TRACES_EXPORTER=otlp, OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('exports over OTLP/HTTP with service.name "tessera" and exits cleanly', () => {
    expect(code, output).toBe(0);
    expect(receiver.spans.length).toBeGreaterThan(0);
    expect(receiver.contentTypes.every((c) => c.startsWith('application/json'))).toBe(true);
    for (const s of receiver.spans) expect(s.resource['service.name']).toBe('tessera');
    expect(receiver.spans[0]?.resource['service.version']).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('puts the filter, prioritize and bind of one pod in one trace whose id is the pod UID', () => {
    for (const p of [train, infer]) {
      const traceId = p.uid.replaceAll('-', '');
      const spans = receiver.spans.filter((s) => s.traceId === traceId);
      const names = spans.map((s) => s.name).sort();
      expect(names).toEqual(['POST /scheduler/bind', 'POST /scheduler/filter', 'POST /scheduler/prioritize', 'bind pod', 'filter nodes', 'prioritize nodes']);
      const servers = spans.filter((s) => s.name.startsWith('POST '));
      for (const s of servers) {
        expect(attr(s, 'k8s.pod.name')).toBe(p.name);
        expect(attr(s, 'k8s.namespace.name')).toBe(p.namespace);
        expect(attr(s, 'k8s.pod.uid')).toBe(p.uid);
        // all three share the pod's parent, so backends show them side by side under it
        expect(s.parentSpanId).toBe(servers[0]?.parentSpanId);
      }
      for (const inner of spans.filter((s) => !s.name.startsWith('POST '))) {
        const verb = inner.name.split(' ')[0] as string;
        const server = servers.find((s) => s.name.endsWith(`/${verb}`));
        expect(inner.parentSpanId, inner.name).toBe(server?.spanId);
      }
    }
  });

  it('keeps different pods in different traces', () => {
    const a = new Set(receiver.spans.filter((s) => attr(s, 'k8s.pod.uid') === train.uid).map((s) => s.traceId));
    const b = new Set(receiver.spans.filter((s) => attr(s, 'k8s.pod.uid') === infer.uid).map((s) => s.traceId));
    expect(a.size).toBe(1);
    expect(b.size).toBe(1);
    expect([...a][0]).not.toBe([...b][0]);
  });
});

describe('OTEL_SERVICE_NAME', () => {
  it('overrides service.name', async () => {
    const second = new OtlpReceiver();
    const endpoint = await second.start();
    const t = serve({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'gpu-scheduler', OTEL_BSP_SCHEDULE_DELAY: '100' });
    const url = await t.url;
    const pod = scenarioKubePod(infer);
    await post(`${url}/scheduler/filter`, namesArgs(pod, ['a100-0']));
    await new Promise((r) => setTimeout(r, 300));
    t.child.kill('SIGTERM');
    expect(await t.exited).toBe(0);
    await second.stop();
    expect(second.spans.map((s) => s.name).sort()).toEqual(['POST /scheduler/filter', 'filter nodes']);
    for (const s of second.spans) expect(s.resource['service.name']).toBe('gpu-scheduler');
  }, 60_000);
});
