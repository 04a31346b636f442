// @ts-check
import { html } from './html.js';
import { money, num, pct } from './format.js';

/**
 * A bar of allocated (dark), stranded (amber) and usable idle (light) GPU-equivalents.
 * @param {{ gpus: number, allocated: number, stranded: number }} p
 */
function UsageBar({ gpus, allocated, stranded }) {
  const w = (/** @type {number} */ x) => `${gpus > 0 ? Math.max(0, Math.min(100, (100 * x) / gpus)) : 0}%`;
  return html`<div class="usage-bar" title=${`${num(allocated)} allocated, ${num(stranded)} stranded of ${gpus} GPUs`}>
    <span class="allocated" style=${{ width: w(allocated) }}></span><span class="stranded" style=${{ width: w(stranded) }}></span>
  </div>`;
}

/**
 * Fleet totals and the same by GPU product and capacity type.
 * @param {{ state: import('./api.js').DashboardState }} p
 */
export function FleetOverview({ state }) {
  const f = state.fleet;
  const cards = [
    ['GPUs', num(f.gpus, 0), `${num(f.nodes, 0)} nodes`, 'gpus'],
    ['Allocated', num(f.allocated), pct(f.allocated, f.gpus), 'allocated'],
    ['Stranded', num(f.stranded), `${pct(f.stranded, f.idle)} of idle`, 'stranded'],
    ['Idle, usable', num(Math.max(0, f.idle - f.stranded)), pct(Math.max(0, f.idle - f.stranded), f.gpus), 'idle'],
    ['Allocated cost', `${money(f.allocatedCostPerHour, state.currency)}/h`, `${num(state.podsHolding, 0)} pods hold GPUs`, 'cost'],
    ['Pending pods', num(state.pendingTotal, 0), 'filter found no node', 'pending'],
  ];
  return html`<section class="panel overview" aria-labelledby="overview-title">
    <h2 id="overview-title">Fleet</h2>
    <div class="cards">
      ${cards.map(([label, value, note, key]) => html`<div class="card" data-card=${key}>
        <div class="card-label">${label}</div><div class="card-value">${value}</div><div class="card-note">${note}</div>
      </div>`)}
    </div>
    <table class="groups" data-table="groups">
      <thead><tr><th>Product</th><th>Capacity</th><th class="n">Nodes</th><th class="n">GPUs</th><th class="n">Allocated</th><th class="n">Stranded</th><th>Use</th></tr></thead>
      <tbody>
        ${f.groups.map((g) => html`<tr key=${`${g.product}/${g.capacityType}`} data-group=${`${g.product}/${g.capacityType}`}>
          <td>${g.product || '(no GPUs)'}</td><td><span class=${`badge ${g.capacityType}`}>${g.capacityType}</span></td>
          <td class="n">${num(g.nodes, 0)}</td><td class="n">${num(g.gpus, 0)}</td>
          <td class="n">${num(g.allocated)}</td><td class="n">${num(g.stranded)}</td>
          <td><${UsageBar} gpus=${g.gpus} allocated=${g.allocated} stranded=${g.stranded} /></td>
        </tr>`)}
      </tbody>
    </table>
    <p class="hint">GPU figures are GPU-equivalents: a whole GPU is 1, a quarter share 0.25. Stranded: idle GPU share that
      the requests a node is built for cannot use (FGD's measure over the target workload; see docs/dashboard.md).</p>
  </section>`;
}
