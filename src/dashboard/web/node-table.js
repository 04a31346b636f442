// @ts-check
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { money, num } from './format.js';

/** Row height (px) and rows kept beyond the visible ones: the table renders about 30 rows of 5,000. */
const ROW = 28;
const OVERSCAN = 8;

/** @typedef {import('./api.js').NodeRow} NodeRow */
/** @typedef {'name' | 'allocated' | 'stranded' | 'free' | 'pods'} SortKey */

/** @type {Record<SortKey, (a: NodeRow, b: NodeRow) => number>} */
const ORDER = {
  name: (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
  allocated: (a, b) => b[5] / (b[2] || 1) - a[5] / (a[2] || 1),
  stranded: (a, b) => b[6] - a[6],
  free: (a, b) => b[2] - b[5] - (a[2] - a[5]),
  pods: (a, b) => b[7] - a[7],
};

/**
 * The rows sorted and filtered (name or product contains `filter`), ties by name.
 * @param {Iterable<NodeRow>} rows
 * @param {SortKey} sort
 * @param {string} filter
 * @returns {NodeRow[]}
 */
export function orderRows(rows, sort, filter) {
  const f = filter.trim().toLowerCase();
  const list = [];
  for (const r of rows) if (f === '' || r[0].toLowerCase().includes(f) || r[1].toLowerCase().includes(f)) list.push(r);
  const by = ORDER[sort];
  return list.sort((a, b) => by(a, b) || ORDER.name(a, b));
}

/**
 * Every node in a scrolling table that renders only the rows in view (virtualised), so 5,000 nodes cost as much
 * as 30. Click (or Enter on) a row to draw that node.
 * @param {{ rows: NodeRow[], total: number, selected: string | null, onSelect: (name: string) => void,
 *   sort: SortKey, onSort: (k: SortKey) => void, filter: string, onFilter: (f: string) => void, currency: string }} p
 */
export function NodeTable({ rows, total, selected, onSelect, sort, onSort, filter, onFilter, currency }) {
  const viewport = useRef(/** @type {HTMLDivElement | null} */ (null));
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(420);
  useEffect(() => {
    const el = viewport.current;
    if (el === null) return undefined;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 420));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // Bring the selected node into view when it is chosen from outside the table (URL hash).
  useEffect(() => {
    const el = viewport.current;
    if (el === null || selected === null) return;
    const i = rows.findIndex((r) => r[0] === selected);
    if (i >= 0 && (i * ROW < el.scrollTop || (i + 1) * ROW > el.scrollTop + el.clientHeight)) el.scrollTop = Math.max(0, i * ROW - el.clientHeight / 2);
  }, [selected]);
  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW) + OVERSCAN);
  const header = (/** @type {SortKey} */ key, /** @type {string} */ label, /** @type {string} */ cls) => html`<button type="button"
      class=${`th ${cls} ${sort === key ? 'sorted' : ''}`} aria-pressed=${sort === key} onClick=${() => onSort(key)}>${label}</button>`;
  return html`<section class="panel nodes" aria-labelledby="nodes-title">
    <h2 id="nodes-title">Nodes <span class="count" data-count="nodes">${rows.length === total ? num(total, 0) : `${num(rows.length, 0)} of ${num(total, 0)}`}</span></h2>
    <input class="filter" type="search" placeholder="Filter by name or GPU" value=${filter}
      onInput=${(/** @type {Event} */ e) => onFilter(/** @type {HTMLInputElement} */ (e.currentTarget).value)} aria-label="Filter nodes" />
    <div class="node-grid head" role="row">
      ${header('name', 'Node', 'c-name')}<span class="th c-gpu">GPU</span>${header('free', 'GPUs', 'c-n')}
      ${header('allocated', 'Allocated', 'c-bar')}${header('stranded', 'Stranded', 'c-n')}${header('pods', 'Pods', 'c-n')}
      <span class="th c-n">/GPU·h</span>
    </div>
    <div class="viewport" ref=${viewport} data-viewport="nodes"
      onScroll=${(/** @type {Event} */ e) => setScrollTop(/** @type {HTMLDivElement} */ (e.currentTarget).scrollTop)}>
      <div class="spacer" style=${{ height: `${rows.length * ROW}px` }}>
        ${rows.slice(first, last).map((r, k) => {
          const [name, product, gpus, spot, price, allocated, stranded, pods] = r;
          const share = gpus > 0 ? allocated / gpus : 0;
          return html`<div key=${name} role="row" tabindex="0" data-node=${name}
              class=${`node-grid row ${name === selected ? 'selected' : ''}`} style=${{ top: `${(first + k) * ROW}px` }}
              onClick=${() => onSelect(name)} onKeyDown=${(/** @type {KeyboardEvent} */ e) => { if (e.key === 'Enter') onSelect(name); }}>
            <span class="c-name">${name}${spot ? html` <span class="badge spot">spot</span>` : null}</span>
            <span class="c-gpu">${product}</span><span class="c-n">${gpus}</span>
            <span class="c-bar"><span class="mini-bar"><span style=${{ width: `${Math.min(100, share * 100)}%` }}></span></span>${num(allocated)}</span>
            <span class=${`c-n ${stranded > 0.005 ? 'warn' : ''}`}>${num(stranded)}</span><span class="c-n">${pods}</span>
            <span class="c-n">${money(price, currency)}</span>
          </div>`;
        })}
      </div>
    </div>
  </section>`;
}
