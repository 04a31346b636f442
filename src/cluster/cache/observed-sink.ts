import type { Logger } from '../../telemetry/logger.js';
import type { ClusterSink, NodeObject, PodObject } from './cluster-source.js';

/** A reader of cluster events besides the cache (showback, the dashboard's pending pods); every method optional. */
export type SinkObserver = { readonly [K in keyof ClusterSink]?: ClusterSink[K] };

/**
 * A ClusterSink that hands every event to `sink` (the cache) first, then to each observer, so observers read the
 * cache already updated. An observer that throws is logged and skipped: it never fails the cache's update nor the
 * source that reported the event.
 */
export function observeSink(sink: ClusterSink, observers: readonly SinkObserver[], log: Logger): ClusterSink {
  const notify = <K extends keyof ClusterSink>(method: K, call: (o: SinkObserver) => void): void => {
    for (const o of observers) {
      if (o[method] === undefined) continue;
      try {
        call(o);
      } catch (err) {
        log.error('cluster event observer failed', { method, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    }
  };
  return {
    upsertNode(node: NodeObject) {
      sink.upsertNode(node);
      notify('upsertNode', (o) => o.upsertNode?.(node));
    },
    deleteNode(name: string) {
      sink.deleteNode(name);
      notify('deleteNode', (o) => o.deleteNode?.(name));
    },
    upsertPod(pod: PodObject) {
      sink.upsertPod(pod);
      notify('upsertPod', (o) => o.upsertPod?.(pod));
    },
    deletePod(uid: string) {
      sink.deletePod(uid);
      notify('deletePod', (o) => o.deletePod?.(uid));
    },
    markSynced() {
      sink.markSynced();
      notify('markSynced', (o) => o.markSynced?.());
    },
  };
}
