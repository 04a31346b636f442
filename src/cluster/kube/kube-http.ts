import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** An API server answer: status and body text. */
export interface KubeHttpResponse {
  readonly status: number;
  readonly body: string;
}

/** TLS settings of an agent, compared to tell when the kubeconfig's credentials changed. */
type TlsKey = readonly unknown[];

/**
 * A lean API client for the requests on the scheduling path (bind): kubeconfig authentication, one keep-alive
 * connection pool, JSON text in and out.
 *
 * Why not @kubernetes/client-node's typed clients here: they build a new https.Agent for every request
 * (`KubeConfig.applySecurityAuthentication`), so each call opens a new TCP connection and pays a full TLS
 * handshake on both sides, and they (de)serialize every body through ObjectSerializer. Under a burst of binds that
 * was most of Tessera's CPU and tripled kube-apiserver's (bench/throughput.ts, docs/throughput.md).
 *
 * Authentication is read from the KubeConfig on every request (tokens and exec credentials rotate); the TLS
 * material (CA, client certificate) is reused until it changes, then a new pool is made.
 */
export class KubeHttp {
  #agent: HttpAgent | HttpsAgent | null = null;
  #agentKey: TlsKey = [];

  /** `maxSockets`: connections kept to the API server (binds run concurrently). */
  constructor(private readonly kc: KubeConfig, private readonly maxSockets = 16) {}

  /**
   * Sends `body` (JSON-serialized; `contentType` defaults to application/json, patches name their kind) and
   * resolves with the answer, whatever its status; rejects on network errors and after `timeoutMs` (30 s).
   */
  async request(method: string, path: string, body?: unknown, options: { readonly contentType?: string; readonly timeoutMs?: number } = {}): Promise<KubeHttpResponse> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const cluster = this.kc.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster');
    const opts: RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    const secure = url.protocol === 'https:';
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: OutgoingHttpHeaders = {
      ...(opts.headers as OutgoingHttpHeaders),
      accept: 'application/json',
      ...(text === undefined ? {} : { 'content-type': options.contentType ?? 'application/json', 'content-length': Buffer.byteLength(text) }),
    };
    // Basic auth (username/password users) comes as `auth`, which node turns into the header itself.
    const agent = this.agentFor(secure, opts, cluster.tlsServerName);
    const send = secure ? httpsRequest : httpRequest;
    return new Promise<KubeHttpResponse>((resolve, reject) => {
      const req = send(url, { method, agent, headers, ...(opts.auth === undefined ? {} : { auth: opts.auth }), timeout: timeoutMs }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${String(timeoutMs)} ms`)));
      req.on('error', reject);
      req.end(text);
    });
  }

  /** Closes the pool's idle connections (the source stops). */
  close(): void {
    this.#agent?.destroy();
    this.#agent = null;
  }

  private agentFor(secure: boolean, opts: RequestOptions, servername: string | undefined): HttpAgent | HttpsAgent {
    const key: TlsKey = [secure, opts.ca, opts.cert, opts.key, opts.pfx, opts.passphrase, opts.rejectUnauthorized, servername];
    if (this.#agent !== null && key.every((v, i) => sameValue(v, this.#agentKey[i]))) return this.#agent;
    this.#agent?.destroy();
    const pool = { keepAlive: true, maxSockets: this.maxSockets };
    this.#agent = secure
      ? new HttpsAgent({
        ...pool, ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase,
        ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }),
        ...(servername === undefined ? {} : { servername }),
      })
      : new HttpAgent(pool);
    this.#agentKey = key;
    return this.#agent;
  }
}

/** Equal TLS settings: client-node reads CA and certificate files into new Buffers on every call. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

/**
 * The message of a failed API answer: `HTTP <status>: <Status.message>` (the body as it is when it is not a
 * Status), like `apiErrorMessage` for client-node's errors.
 */
export function kubeHttpErrorMessage(res: KubeHttpResponse): string {
  let text = res.body;
  try {
    const parsed: unknown = JSON.parse(res.body);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') text = parsed.message;
  } catch {
    // not JSON: keep the raw body
  }
  return `HTTP ${String(res.status)}${text === '' ? '' : `: ${text.slice(0, 500)}`}`;
}
