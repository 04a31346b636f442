import type { IncomingMessage } from 'node:http';
import type { InformerHandlers } from './resilient-informer.js';
import { type KubeHttp, kubeHttpErrorMessage } from './kube-http.js';

/** The parts of an object the informer reads. */
interface ObjectMeta {
  readonly metadata?: { readonly name?: string; readonly namespace?: string | null; readonly uid?: string | null; readonly resourceVersion?: string | null } | null;
}

/** Settings of a `KubeInformer`. */
export interface KubeInformerOptions<T> {
  readonly http: KubeHttp;
  /** Collection path, e.g. `/api/v1/pods`. */
  readonly path: string;
  readonly handlers: InformerHandlers<T>;
  /** Items per page of a list (kube-apiserver pages long lists; client-go asks for 500). */
  readonly pageSize?: number;
  /** Server-side timeout of one watch request; the informer then watches again from where it was. */
  readonly watchTimeoutSeconds?: number;
  /** First retry delay after an error; doubles up to `maxBackoffMs`. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly log?: (message: string) => void;
}

/** What is kept per object: enough to report it deleted when a relist no longer shows it. */
interface Known {
  readonly rv: string;
  readonly uid: string | undefined;
}

/** A watch answered 410 Gone (or an ERROR event said so): the resourceVersion is too old, list again. */
class GoneError extends Error {}

/**
 * List-then-watch of one collection over KubeHttp, for the collections that are large and busy (pods, nodes).
 * Unlike @kubernetes/client-node's ListWatch it keeps no copy of the objects (only each one's key, uid and
 * resourceVersion, to report deletions a relist reveals): the handlers keep what they need, so 10,000 pods do not
 * sit in memory twice. Lists are read in pages, watch events are split from the byte stream and parsed one line at
 * a time (no readline, no class instances), and bookmarks keep the resume point fresh.
 *
 *   start() ── list (pages) ──> upsert each, remove what vanished ──> watch from the list's resourceVersion
 *                 ^                                                        │ stream ended: watch again from the last event
 *                 └──────────── 410 Gone (resume point compacted) ─────────┘ error: back off, then watch (or list) again
 *
 * `start()` resolves once the first list was reported (retrying it with backoff until it succeeds or `stop()`).
 */
export class KubeInformer<T extends ObjectMeta> {
  readonly #options: KubeInformerOptions<T>;
  readonly #known = new Map<string, Known>();
  readonly #log: (message: string) => void;
  #rv = '';
  #stopped = false;
  #abort: (() => void) | null = null;
  #delayMs: number;
  #loop: Promise<void> | null = null;

  constructor(options: KubeInformerOptions<T>) {
    this.#options = options;
    this.#log = options.log ?? (() => undefined);
    this.#delayMs = options.backoffMs ?? 500;
  }

  /** Objects currently known. */
  get size(): number {
    return this.#known.size;
  }

  /** Lists (retrying until it succeeds or `stop()`), reports every object, then watches in the background. */
  async start(): Promise<void> {
    this.#stopped = false;
    for (;;) {
      if (this.#stopped) return;
      try {
        await this.#relist();
        break;
      } catch (err) {
        this.#log(`list of ${this.#options.path} failed, retrying in ${String(this.#delayMs)} ms: ${errorText(err)}`);
        await this.#backoff();
      }
    }
    this.#resetBackoff();
    this.#loop = this.#watchLoop();
  }

  /** Stops watching; idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.();
    await this.#loop;
  }

  async #watchLoop(): Promise<void> {
    let relist = false;
    while (!this.#stopped) {
      try {
        if (relist) {
          await this.#relist();
          relist = false;
        }
        await this.#watchOnce();
        this.#resetBackoff();
      } catch (err) {
        if (this.#stopped) return;
        relist = err instanceof GoneError;
        if (!relist) {
          this.#log(`watch of ${this.#options.path} failed, retrying in ${String(this.#delayMs)} ms: ${errorText(err)}`);
          await this.#backoff();
        }
      }
    }
  }

  /** Lists every page, reports new and changed objects, and removes the ones no longer listed. */
  async #relist(): Promise<void> {
    const { http, path, handlers } = this.#options;
    const seen = new Set<string>();
    let next = '';
    let rv = '';
    do {
      const query = `limit=${String(this.#options.pageSize ?? 500)}${next === '' ? '' : `&continue=${encodeURIComponent(next)}`}`;
      const res = await http.request('GET', `${path}?${query}`);
      if (res.status === 410 && next !== '') {
        // The continue token expired mid-list: start over.
        seen.clear();
        next = '';
        continue;
      }
      if (res.status !== 200) throw new Error(`GET ${path}: ${kubeHttpErrorMessage(res)}`);
      const page = JSON.parse(res.body) as { metadata?: { resourceVersion?: string; continue?: string }; items?: T[] };
      for (const item of page.items ?? []) {
        const key = keyOf(item);
        if (key === null) continue;
        seen.add(key);
        const itemRv = item.metadata?.resourceVersion ?? '';
        if (this.#known.get(key)?.rv === itemRv && itemRv !== '') continue;
        this.#known.set(key, { rv: itemRv, uid: item.metadata?.uid ?? undefined });
        this.#call(() => handlers.upsert(item));
      }
      rv = page.metadata?.resourceVersion ?? rv;
      next = page.metadata?.continue ?? '';
    } while (next !== '');
    for (const [key, known] of [...this.#known]) {
      if (seen.has(key)) continue;
      this.#known.delete(key);
      const slash = key.indexOf('/');
      const gone = { metadata: { namespace: key.slice(0, slash), name: key.slice(slash + 1), uid: known.uid } } as unknown as T;
      this.#call(() => handlers.remove(gone));
    }
    this.#rv = rv;
  }

  /** One watch request, until the server ends it (or it fails). */
  async #watchOnce(): Promise<void> {
    const { http, path } = this.#options;
    const timeout = this.#options.watchTimeoutSeconds ?? 300;
    const query = `watch=true&allowWatchBookmarks=true&timeoutSeconds=${String(timeout)}&resourceVersion=${encodeURIComponent(this.#rv)}`;
    const stream = await http.openStream(`${path}?${query}`);
    const abort = stream.abort;
    this.#abort = abort;
    if (this.#stopped) abort();
    try {
      const response = await stream.response;
      if (response.statusCode === 410) throw new GoneError(`watch of ${path}: resourceVersion ${this.#rv} is too old`);
      if (response.statusCode !== 200) {
        const body = await readAll(response);
        throw new Error(`watch of ${path}: ${kubeHttpErrorMessage({ status: response.statusCode ?? 0, body })}`);
      }
      await readLines(response, (line) => this.#event(line));
    } finally {
      this.#abort = null;
      abort();
    }
  }

  #event(line: string): void {
    const { handlers } = this.#options;
    const event = JSON.parse(line) as { type?: string; object?: T & { code?: number; message?: string } };
    const obj = event.object;
    if (obj === undefined) return;
    if (event.type === 'ERROR') {
      if (obj.code === 410) throw new GoneError(`watch of ${this.#options.path}: ${obj.message ?? 'resourceVersion too old'}`);
      throw new Error(`watch of ${this.#options.path}: ERROR event: ${obj.message ?? JSON.stringify(obj).slice(0, 200)}`);
    }
    const rv = obj.metadata?.resourceVersion ?? '';
    if (rv !== '') this.#rv = rv;
    if (event.type === 'BOOKMARK') return;
    const key = keyOf(obj);
    if (key === null) return;
    if (event.type === 'DELETED') {
      this.#known.delete(key);
      this.#call(() => handlers.remove(obj));
    } else {
      this.#known.set(key, { rv, uid: obj.metadata?.uid ?? undefined });
      this.#call(() => handlers.upsert(obj));
    }
  }

  /** A handler that throws is a bug there: logged, and the stream goes on. */
  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log(`handler for ${this.#options.path} failed: ${errorText(err)}`);
    }
  }

  async #backoff(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.#delayMs));
    this.#delayMs = Math.min(this.#delayMs * 2, this.#options.maxBackoffMs ?? 30_000);
  }

  #resetBackoff(): void {
    this.#delayMs = this.#options.backoffMs ?? 500;
  }
}

function keyOf(obj: ObjectMeta): string | null {
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') return null;
  return `${obj.metadata?.namespace ?? ''}/${name}`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Calls `onLine` with each newline-terminated line of `res` (as a string) until the stream ends; rejects on errors. */
function readLines(res: IncomingMessage, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let rest: Buffer | null = null;
    res.on('data', (chunk: Buffer) => {
      let buf = rest === null ? chunk : Buffer.concat([rest, chunk]);
      let at = buf.indexOf(0x0a);
      while (at !== -1) {
        if (at > 0) {
          try {
            onLine(buf.toString('utf8', 0, at));
          } catch (err) {
            res.destroy();
            reject(err instanceof Error ? err : new Error(String(err)));
            return;
          }
        }
        buf = buf.subarray(at + 1);
        at = buf.indexOf(0x0a);
      }
      rest = buf.length === 0 ? null : Buffer.from(buf);
    });
    res.on('end', () => resolve());
    res.on('close', () => resolve());
    res.on('error', reject);
  });
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', () => resolve(''));
  });
}
