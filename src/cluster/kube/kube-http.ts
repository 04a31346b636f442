import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** An API server answer: status and body text. */
export interface KubeHttpResponse {
  readonly status: number;
  readonly body: string;
}

/** What a request takes from the kubeconfig, as last read. */
interface Credentials {
  readonly server: string;
  readonly secure: boolean;
  readonly headers: OutgoingHttpHeaders;
  readonly auth: string | undefined;
  readonly readAt: number;
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
 * Authentication is read from the KubeConfig again every `credentialsTtlMs` (tokens and exec credentials
 * rotate); the TLS material (CA, client certificate) is reused until it changes, then a new pool is made.
 */
export class KubeHttp {
  #agent: HttpAgent | HttpsAgent | null = null;
  #streamAgent: HttpAgent | HttpsAgent | null = null;
  #agentKey: TlsKey = [];

  #credentials: Credentials | null = null;

  /**
   * `maxSockets`: connections kept to the API server (binds run concurrently). `credentialsTtlMs`: how long the
   * kubeconfig's credentials are reused before they are read again (client-go's in-cluster token source also
   * rereads its file once a minute); reading them on every request cost a quarter of a millisecond each.
   */
  constructor(private readonly kc: KubeConfig, private readonly maxSockets = 16, private readonly credentialsTtlMs = 10_000, private readonly now: () => number = Date.now) {}

  /**
   * Sends `body` (JSON-serialized; `contentType` defaults to application/json, patches name their kind) and
   * resolves with the answer, whatever its status; rejects on network errors and after `timeoutMs` (30 s).
   */
  async request(method: string, path: string, body?: unknown, options: { readonly contentType?: string; readonly timeoutMs?: number } = {}): Promise<KubeHttpResponse> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const { url, send, agent, headers, auth } = await this.prepare(path, 'pool');
    const text = body === undefined ? undefined : JSON.stringify(body);
    if (text !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(text);
    }
    return new Promise<KubeHttpResponse>((resolve, reject) => {
      const req = send(url, { method, agent, headers, ...(auth === undefined ? {} : { auth }), timeout: timeoutMs }, (res: IncomingMessage) => {
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

  /**
   * Opens a long-lived GET (a watch) on a connection of its own. `response` resolves once the status line arrived
   * (rejects on network errors); `abort()` ends the request at any point, also before it was answered.
   */
  async openStream(path: string): Promise<{ readonly response: Promise<IncomingMessage>; abort(): void }> {
    const { url, send, agent, headers, auth } = await this.prepare(path, 'stream');
    let abort: () => void = () => undefined;
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { method: 'GET', agent, headers, ...(auth === undefined ? {} : { auth }) }, resolve);
      abort = () => req.destroy(new Error(`GET ${path}: aborted`));
      // TCP keep-alive probes, as client-go sets them, so a silently dropped connection ends the watch.
      req.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
      req.on('error', reject);
      req.end();
    });
    return { response, abort: () => abort() };
  }

  /** Closes the pool's idle connections (the source stops). */
  close(): void {
    this.#credentials = null;
    this.#agent?.destroy();
    this.#streamAgent?.destroy();
    this.#agent = null;
    this.#streamAgent = null;
  }

  /** URL, transport, agent and headers of a request to `path`, with the kubeconfig's current credentials. */
  private async prepare(path: string, kind: 'pool' | 'stream') {
    const now = this.now();
    let c = this.#credentials;
    if (c === null || now - c.readAt >= this.credentialsTtlMs) {
      c = await this.readCredentials(now);
      this.#credentials = c;
    }
    return {
      url: new URL(c.server + path),
      send: c.secure ? httpsRequest : httpRequest,
      agent: (kind === 'pool' ? this.#agent : this.#streamAgent) as HttpAgent | HttpsAgent,
      headers: { ...c.headers },
      auth: c.auth,
    };
  }

  /** The kubeconfig's server, headers and TLS material as of now (client-node reads files and runs exec plugins). */
  private async readCredentials(now: number): Promise<Credentials> {
    const cluster = this.kc.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster');
    const opts: RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    const server = cluster.server.replace(/\/+$/, '');
    const secure = new URL(server).protocol === 'https:';
    this.refreshAgents(secure, opts, cluster.tlsServerName);
    // Basic auth (username/password users) comes as `auth`, which node turns into the header itself.
    return { server, secure, headers: { ...(opts.headers as OutgoingHttpHeaders), accept: 'application/json' }, auth: opts.auth ?? undefined, readAt: now };
  }

  /** (Re)builds the connection pool and the stream agent when the TLS material changed. */
  private refreshAgents(secure: boolean, opts: RequestOptions, servername: string | undefined): void {
    const key: TlsKey = [secure, opts.ca, opts.cert, opts.key, opts.pfx, opts.passphrase, opts.rejectUnauthorized, servername];
    if (this.#agent !== null && key.every((v, i) => sameValue(v, this.#agentKey[i]))) return;
    this.#agent?.destroy();
    this.#streamAgent?.destroy();
    const tls = {
      ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase,
      ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }),
      ...(servername === undefined ? {} : { servername }),
    };
    const pool = { keepAlive: true, maxSockets: this.maxSockets };
    this.#agent = secure ? new HttpsAgent({ ...pool, ...tls }) : new HttpAgent(pool);
    this.#streamAgent = secure ? new HttpsAgent({ keepAlive: false, ...tls }) : new HttpAgent({ keepAlive: false });
    this.#agentKey = key;
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
