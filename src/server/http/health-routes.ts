import { sendText, type Route } from './router.js';

/** `/healthz` (the process serves) and `/readyz` (the cluster source has listed everything). */
export function addHealthRoutes(routes: Map<string, Route>, ready: () => boolean): void {
  routes.set('/healthz', { method: 'GET', verb: 'other', run: async (_req, res) => sendText(res, 200, 'ok\n') });
  routes.set('/readyz', {
    method: 'GET', verb: 'other',
    run: async (_req, res) => (ready() ? sendText(res, 200, 'ok\n') : sendText(res, 503, 'cluster source not synced yet\n')),
  });
}
