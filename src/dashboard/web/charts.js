// @ts-check
import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from './html.js';
import { colorAt, money, num } from './format.js';

/**
 * Time ticks as 24-hour `hh:mm`, with the day when the chart spans more than a day.
 * @param {uPlot} u
 * @param {number[]} ticks seconds since the epoch
 */
function timeTicks(u, ticks) {
  const span = (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0);
  return ticks.map((v) => (span > 36 * 3600 ? DAY_TIME : TIME).format(new Date(v * 1000)));
}

const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
const DAY_TIME = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false });

/**
 * A uPlot time chart that keeps one plot while the data changes (setData) and builds a new one only when the
 * set of series changes; it follows its container's width.
 * @param {{ data: uPlot.AlignedData, series: uPlot.Series[], axes?: uPlot.Axis[], scales?: uPlot.Scales, height?: number, id: string }} p
 */
function TimeChart({ data, series, axes, scales, height = 220, id }) {
  const box = useRef(/** @type {HTMLDivElement | null} */ (null));
  const plot = useRef(/** @type {uPlot | null} */ (null));
  const key = series.map((s) => s.label).join('\u0000');
  useEffect(() => {
    const el = box.current;
    if (el === null) return undefined;
    const [, ...yAxes] = axes ?? [{}];
    const xAxis = { space: 64, values: timeTicks };
    const u = new uPlot({ width: Math.max(300, el.clientWidth), height, series, axes: [xAxis, ...yAxes], scales, legend: { live: false } }, data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(300, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [key]);
  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);
  return html`<div class="chart" ref=${box} data-chart=${id}></div>`;
}

/**
 * Cost per hour by namespace (top namespaces; the rest as "(other)"), from the showback ledger.
 * @param {{ history: import('./api.js').DashboardHistory }} p
 */
export function CostChart({ history }) {
  const c = history.cost;
  // Built once per history answer: a new array would make the plot redraw on every render of the page.
  const { series, data } = useMemo(() => ({
    /** @type {uPlot.Series[]} */
    series: [{ label: 'time' }, ...c.namespaces.map((ns, i) => ({
      label: ns, stroke: colorAt(i, ns), width: 2,
      value: (/** @type {uPlot} */ _u, /** @type {number | null} */ v) => (v === null ? '–' : `${money(v, history.currency)}/h`),
    }))],
    data: /** @type {uPlot.AlignedData} */ ([c.t, ...c.perHour]),
  }), [history]);
  return html`<section class="panel chart-panel" aria-labelledby="cost-title">
    <h2 id="cost-title">Cost by namespace <span class="unit">${history.currency} per hour, ${c.step >= 60 ? `${num(c.step / 60, 0)} min` : `${c.step} s`} buckets</span></h2>
    ${c.namespaces.length === 0 ? html`<p class="empty">No pod has held a priced GPU in this window.</p>`
      : html`<${TimeChart} id="cost" data=${data} series=${series}
          axes=${[{}, { values: (/** @type {uPlot} */ _u, /** @type {number[]} */ ticks) => ticks.map((v) => money(v, history.currency)), size: 70 }]} />`}
  </section>`;
}

/** @type {uPlot.Series[]} */
const FRAGMENTATION_SERIES = [
  { label: 'time' },
  { label: 'allocated GPUs', stroke: '#3b6ea8', width: 2, scale: 'gpus' },
  { label: 'stranded GPUs', stroke: '#d08a1c', width: 2, scale: 'gpus' },
  { label: 'stranded % of idle', stroke: '#b0413e', width: 1.5, dash: [6, 4], scale: '%' },
];

/**
 * Allocated and stranded GPUs over time, and stranded as a share of idle (right axis).
 * @param {{ history: import('./api.js').DashboardHistory }} p
 */
export function FragmentationChart({ history }) {
  const data = useMemo(() => {
    const f = history.fleet;
    const share = f.idle.map((idle, k) => (idle > 0 ? (100 * (f.stranded[k] ?? 0)) / idle : 0));
    return /** @type {uPlot.AlignedData} */ ([f.t, f.allocated, f.stranded, share]);
  }, [history]);
  return html`<section class="panel chart-panel" aria-labelledby="frag-title">
    <h2 id="frag-title">Fragmentation <span class="unit">GPU-equivalents; stranded share of idle on the right</span></h2>
    <${TimeChart} id="fragmentation" data=${data} series=${FRAGMENTATION_SERIES}
      scales=${{ '%': { range: [0, 100] } }}
      axes=${[{}, { scale: 'gpus', size: 56 }, { scale: '%', side: 1, grid: { show: false }, values: (/** @type {uPlot} */ _u, /** @type {number[]} */ t) => t.map((v) => `${v} %`) }]} />
  </section>`;
}
