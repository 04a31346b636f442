import { type KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import { apiErrorMessage } from './api-errors.js';

/** Callbacks of a `ResilientInformer`. */
export interface InformerHandlers<T> {
  upsert(obj: T): void;
  remove(obj: T): void;
}

/** Settings of a `ResilientInformer`. */
export interface ResilientInformerOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** Watch path, e.g. `/api/v1/pods`. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly handlers: InformerHandlers<T>;
  /** First retry delay after an error; doubles up to `maxBackoffMs`. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly log?: (message: string) => void;
}

/**
 * List-then-watch of one resource that keeps going: @kubernetes/client-node's `ListWatch` stops for good on a
 * list or watch error, so this restarts it with exponential backoff (a 410 Gone relists inside ListWatch).
 * `start()` resolves once the first list succeeded and every listed object went through `upsert`.
 */
export class ResilientInformer<T extends KubernetesObject> {
  readonly #informer: ListWatch<T>;
  readonly #path: string;
  readonly #log: (message: string) => void;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  #delayMs: number;
  #stopped = false;
  #timer: NodeJS.Timeout | null = null;
  #failed: unknown = null;

  constructor(options: ResilientInformerOptions<T>) {
    this.#path = options.path;
    this.#log = options.log ?? (() => undefined);
    this.#backoffMs = options.backoffMs ?? 500;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#delayMs = this.#backoffMs;
    this.#informer = new ListWatch<T>(options.path, new Watch(options.kubeConfig), options.list, false);
    this.#informer.on('add', (o) => options.handlers.upsert(o));
    this.#informer.on('update', (o) => options.handlers.upsert(o));
    this.#informer.on('delete', (o) => options.handlers.remove(o));
    this.#informer.on('connect', () => {
      this.#failed = null;
    });
    this.#informer.on('error', (err: unknown) => {
      this.#failed = err ?? new Error('watch ended with an error');
      if (!this.#stopped) this.#scheduleRestart(err);
    });
  }

  /** Lists (retrying until it succeeds or `stop()`), reports every object, then watches. */
  async start(): Promise<void> {
    this.#stopped = false;
    for (;;) {
      this.#failed = null;
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
      await this.#informer.start();
      if (this.#failed === null || this.#stopped) {
        this.#delayMs = this.#backoffMs;
        return;
      }
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
      await new Promise((resolve) => setTimeout(resolve, this.#delayMs));
      this.#delayMs = Math.min(this.#delayMs * 2, this.#maxBackoffMs);
      if (this.#stopped) return;
    }
  }

  #scheduleRestart(err: unknown): void {
    if (this.#timer !== null) return;
    this.#log(`watch of ${this.#path} failed, retrying in ${String(this.#delayMs)} ms: ${apiErrorMessage(err)}`);
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.#maxBackoffMs);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#stopped) return;
      void this.#informer.start().then(() => {
        if (this.#failed === null) this.#delayMs = this.#backoffMs;
      });
    }, delay);
  }

  /** Objects as last listed/watched. */
  list(): readonly T[] {
    return this.#informer.list();
  }

  /** Stops watching; idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#informer.stop();
  }
}
