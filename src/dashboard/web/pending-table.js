// @ts-check
import { html } from './html.js';
import { clock, num } from './format.js';

/**
 * Pods that wait because filter found no node, with filter's reasons.
 * @param {{ pending: import('./api.js').PendingPod[], total: number }} p
 */
export function PendingTable({ pending, total }) {
  return html`<section class="panel pending" aria-labelledby="pending-title">
    <h2 id="pending-title">Pending pods <span class="count">${num(total, 0)}</span></h2>
    ${pending.length === 0
      ? html`<p class="empty">No pod is waiting on Tessera's filter.</p>`
      : html`<table data-table="pending">
          <thead><tr><th>Pod</th><th>Why filter found no node</th><th>Since</th><th>Last</th><th class="n">Tries</th></tr></thead>
          <tbody>
            ${pending.map((p) => html`<tr key=${p.uid || `${p.namespace}/${p.name}`} data-pending=${`${p.namespace}/${p.name}`}>
              <td class="pod">${p.namespace}/${p.name}</td><td class="reason">${p.message}</td>
              <td>${clock(p.firstReported)}</td><td>${clock(p.lastReported)}</td><td class="n">${p.reports}</td>
            </tr>`)}
          </tbody>
        </table>`}
    ${total > pending.length ? html`<p class="hint">Showing the ${pending.length} most recently reported of ${total}.</p>` : null}
  </section>`;
}
