import { createHash } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { tesseraTracer, tracingActive } from './tracing.js';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * The trace id of a pod: its UID's 32 hex digits when the UID is a UUID (as Kubernetes makes them), so a trace is
 * found from `kubectl get pod -o jsonpath={.metadata.uid}` with the dashes removed; otherwise the first 32 hex
 * digits of the UID's SHA-256. Never all zeros (an invalid trace id).
 */
export function podTraceId(uid: string): string {
  const id = UUID.test(uid) ? uid.replaceAll('-', '').toLowerCase() : createHash('sha256').update(uid).digest('hex').slice(0, 32);
  return /^0+$/.test(id) ? createHash('sha256').update(`tessera:${uid}`).digest('hex').slice(0, 32) : id;
}

/** The span id standing for the pod's scheduling as a whole (the parent of every verb span of the pod; never exported). */
export function podSpanId(uid: string): string {
  return createHash('sha256').update(`pod:${uid}`).digest('hex').slice(0, 16);
}

/** `ctx` with the pod's scheduling as the (remote) parent span: spans started under it join the pod's trace. */
export function inPodTrace(uid: string, ctx: Context = context.active()): Context {
  return trace.setSpanContext(ctx, { traceId: podTraceId(uid), spanId: podSpanId(uid), traceFlags: TraceFlags.SAMPLED, isRemote: true });
}

/** Who a request is about. */
export interface TracedPod {
  readonly namespace?: string | null;
  readonly name?: string | null;
  readonly uid?: string | null;
}

/**
 * Runs `fn` inside a SERVER span `<method> <path>` of the pod's trace (see podTraceId), so the verb spans the
 * service starts inside (`filter nodes`, `prioritize nodes`, `bind pod`, `preempt pod`) hang under it, and the
 * filter, prioritize and bind of one pod, separate HTTP requests, make one trace. A pod without a UID gets a
 * trace of its own. The span ends when `fn` returns or its promise settles. Without a started SDK it just runs `fn`.
 */
export function withPodSpan<T>(method: string, path: string, pod: TracedPod, fn: () => T): T {
  // Without an SDK every span is a no-op: skip building one (the extender's verbs are on the hot path).
  if (!tracingActive()) return fn();
  const uid = pod.uid ?? '';
  const attributes: Attributes = {
    'http.request.method': method, 'url.path': path, 'http.route': path,
    'k8s.namespace.name': pod.namespace ?? '', 'k8s.pod.name': pod.name ?? '', 'k8s.pod.uid': uid,
  };
  const parent = uid === '' ? context.active() : inPodTrace(uid);
  return tesseraTracer().startActiveSpan(`${method} ${path}`, { kind: SpanKind.SERVER, attributes }, parent, (span: Span) => {
    let result: T;
    try {
      result = fn();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
      span.end();
      throw err;
    }
    if (result instanceof Promise) {
      return result.then((v: unknown) => {
        span.end();
        return v;
      }, (err: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
        span.end();
        throw err;
      }) as T;
    }
    span.end();
    return result;
  });
}
