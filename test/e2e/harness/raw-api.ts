import { Agent, request } from 'node:https';

/** An answer of the API server: status and raw body. */
export interface RawResponse {
  readonly status: number;
  readonly body: Buffer;
}

/** One event of a watch stream, parsed. */
export interface RawWatchEvent {
  readonly type: string;
  readonly object: {
    readonly metadata?: { readonly name?: string; readonly resourceVersion?: string };
    readonly spec?: { readonly nodeName?: string };
    readonly status?: { readonly phase?: string };
  };
}

/**
 * A minimal kube-apiserver client for load generators: keep-alive HTTPS with a bearer token, bodies as JSON text,
 * nothing deserialized into classes. The bench creates thousands of objects with it; @kubernetes/client-node's
 * typed clients would spend the bench's CPU (on a machine whose cores every component shares) on serializers.
 */
export class RawApi {
  private readonly agent: Agent;

  constructor(readonly server: string, private readonly token: string, maxSockets = 64) {
    this.agent = new Agent({ keepAlive: true, maxSockets, rejectUnauthorized: false });
  }

  /**
   * Sends `body` (serialized here unless a string) and resolves with the answer, whatever its status. A kept-alive
   * connection the server closed meanwhile (ECONNRESET, EPIPE) is retried on a new one, twice at most; a caller
   * that creates must therefore accept 409 AlreadyExists.
   */
  async send(method: string, path: string, body?: unknown): Promise<RawResponse> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.sendOnce(method, path, body);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (attempt >= 2 || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw err;
      }
    }
  }

  private sendOnce(method: string, path: string, body?: unknown): Promise<RawResponse> {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(`${this.server}${path}`, {
        method,
        agent: this.agent,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(text === undefined ? {} : { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json', 'content-length': Buffer.byteLength(text) }),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(text);
    });
  }

  /** Like `send`, but rejects unless the status is 2xx (or one of `accept`), naming the request and the answer. */
  async must(method: string, path: string, body?: unknown, accept: readonly number[] = []): Promise<RawResponse> {
    const res = await this.send(method, path, body);
    if ((res.status < 200 || res.status > 299) && !accept.includes(res.status)) {
      throw new Error(`${method} ${path} answered ${String(res.status)}: ${res.body.toString('utf8').slice(0, 300)}`);
    }
    return res;
  }

  /**
   * Watches `path` (a collection) from `resourceVersion`, calling `onEvent` with each event as it arrives;
   * `stop()` ends it. `onEnd` is called once if the server ends the stream (an error or the watch timing out).
   */
  watch(path: string, resourceVersion: string, onEvent: (event: RawWatchEvent) => void, onEnd: (err: Error | null) => void): { stop(): void } {
    const sep = path.includes('?') ? '&' : '?';
    let stopped = false;
    let ended = false;
    const end = (err: Error | null): void => {
      if (ended || stopped) return;
      ended = true;
      onEnd(err);
    };
    const req = request(`${this.server}${path}${sep}watch=true&resourceVersion=${encodeURIComponent(resourceVersion)}&timeoutSeconds=3600`, {
      method: 'GET',
      rejectUnauthorized: false,
      // Its own socket with no idle timeout (the global agent would close a quiet stream after 5 s).
      agent: false,
      headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
    }, (res) => {
      res.socket.setTimeout(0);
      if (res.statusCode !== 200) {
        end(new Error(`watch ${path} answered ${String(res.statusCode)}`));
        res.resume();
        return;
      }
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        rest += chunk;
        let nl = rest.indexOf('\n');
        for (; nl !== -1; nl = rest.indexOf('\n')) {
          const line = rest.slice(0, nl);
          rest = rest.slice(nl + 1);
          if (line === '') continue;
          let event: RawWatchEvent;
          try {
            event = JSON.parse(line) as RawWatchEvent;
          } catch (err) {
            end(new Error(`watch ${path}: cannot parse an event: ${(err as Error).message}: ${line.slice(0, 200)}`));
            req.destroy();
            return;
          }
          onEvent(event);
        }
      });
      res.on('end', () => end(null));
      res.on('error', (err) => end(err));
    });
    req.on('error', (err) => end(err));
    req.end();
    return {
      stop() {
        stopped = true;
        req.destroy();
      },
    };
  }

  /**
   * `watch`, resumed from the last event's resourceVersion whenever the server ends the stream (kube-apiserver
   * closes watchers that fall behind a burst of events, as informers expect). `onFail` is called once on an error
   * (a watch answering other than 200, including 410 Gone when the resume point was compacted away).
   */
  follow(path: string, resourceVersion: string, onEvent: (event: RawWatchEvent) => void, onFail: (err: Error) => void): { stop(): void; restarts(): number } {
    let rv = resourceVersion;
    let restarts = 0;
    let current: { stop(): void } | null = null;
    let stopped = false;
    const open = (): void => {
      current = this.watch(path, rv, (event) => {
        const v = event.object.metadata?.resourceVersion;
        if (v !== undefined) rv = v;
        if (event.type !== 'BOOKMARK' && event.type !== 'ERROR') onEvent(event);
        else if (event.type === 'ERROR') {
          stopped = true;
          current?.stop();
          onFail(new Error(`watch ${path}: ERROR event: ${JSON.stringify(event.object).slice(0, 300)}`));
        }
      }, (err) => {
        if (stopped) return;
        if (err !== null) {
          stopped = true;
          onFail(err);
          return;
        }
        restarts += 1;
        open();
      });
    };
    open();
    return {
      stop() {
        stopped = true;
        current?.stop();
      },
      restarts: () => restarts,
    };
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}

