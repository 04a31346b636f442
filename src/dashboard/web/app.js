// @ts-check
import { render } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { API, getJson } from './api.js';
import { CostChart, FragmentationChart } from './charts.js';
import { clock } from './format.js';
import { FleetOverview } from './fleet-overview.js';
import { html } from './html.js';
import { NodeDrawing } from './node-drawing.js';
import { NodeTable, orderRows } from './node-table.js';
import { PendingTable } from './pending-table.js';

/** How often the page asks for changes, and for the charts' history. */
const STATE_POLL_MS = 1000;
const HISTORY_POLL_MS = 10_000;
const WINDOWS = ['15m', '1h', '6h', '24h', '7d'];

/**
 * Timings the bench (bench/dashboard-render.ts) and the browser test read: per applied state answer, the time to
 * fetch and parse it, the time until the DOM showed it and until that frame was painted; and `tesseraFirstRenderMs`, the time from navigation
 * start to the first full state on screen.
 * @typedef {{ version: number, full: boolean, rows: number, fetchMs: number, renderMs: number, paintMs: number | null }} Timing
 */
/** @type {Timing[]} */
const timings = [];
/** @type {any} */ (window).tesseraTimings = timings;
/** Milliseconds from a click on a node to its drawing in the DOM. */
/** @type {number[]} */
const selectTimings = [];
/** @type {any} */ (window).tesseraSelectTimings = selectTimings;

/** The node named in the URL hash (`#node=a100-0`), or null. */
function nodeFromHash() {
  const m = /(?:^#|&)node=([^&]*)/.exec(location.hash);
  return m ? decodeURIComponent(m[1] ?? '') : null;
}

function App() {
  const [state, setState] = useState(/** @type {import('./api.js').DashboardState | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const rowsByName = useRef(/** @type {Map<string, import('./api.js').NodeRow>} */ (new Map()));
  const [rowsVersion, setRowsVersion] = useState(0);
  const [sort, setSort] = useState(/** @type {import('./node-table.js').SortKey} */ ('name'));
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState(nodeFromHash());
  const [detail, setDetail] = useState(/** @type {import('./api.js').NodeDetail | null} */ (null));
  const [detailError, setDetailError] = useState(/** @type {string | null} */ (null));
  const [history, setHistory] = useState(/** @type {import('./api.js').DashboardHistory | null} */ (null));
  const [chartWindow, setChartWindow] = useState('1h');
  /** Started when the last state answer was requested; closed once it is on screen. */
  const pendingTiming = useRef(/** @type {{ t0: number, fetched: number, full: boolean, rows: number } | null} */ (null));
  /** Bumped when the selected node changed in the cluster, so its drawing is fetched again. */
  const [selectedChanged, setSelectedChanged] = useState(0);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const selectStarted = useRef(/** @type {number | null} */ (null));

  // Poll the versioned state: only the nodes changed since our version come back.
  useEffect(() => {
    let version = /** @type {number | null} */ (null);
    let pendingVersion = /** @type {number | null} */ (null);
    /** @type {import('./api.js').PendingPod[]} */
    let pending = [];
    let stopped = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const poll = async () => {
      const t0 = performance.now();
      try {
        /** @type {import('./api.js').DashboardState} */
        const s = await getJson(API.state(version, pendingVersion));
        if (stopped) return;
        if (s.pending !== null) pending = s.pending;
        s.pending = pending;
        pendingVersion = s.pendingVersion;
        const fetched = performance.now();
        const rows = rowsByName.current;
        if (s.full) rows.clear();
        for (const name of s.removed) rows.delete(name);
        for (const r of s.nodes) rows.set(r[0], r);
        const sel = selectedRef.current;
        if (sel !== null && (s.full || s.removed.includes(sel) || s.nodes.some((r) => r[0] === sel)) && version !== null) setSelectedChanged((x) => x + 1);
        if (s.nodes.length > 0 || s.removed.length > 0 || s.full) setRowsVersion((x) => x + 1);
        pendingTiming.current = version === s.version && !s.full ? null : { t0, fetched, full: s.full, rows: s.nodes.length };
        version = s.version;
        setState(s);
        setError(null);
      } catch (err) {
        if (!stopped) setError(err instanceof Error ? err.message : String(err));
      }
      if (!stopped) timer = setTimeout(poll, STATE_POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  // The state is on screen: record how long it took and tell tests and the bench which version they see.
  useLayoutEffect(() => {
    if (state === null) return;
    const root = document.documentElement;
    if (root.dataset.ready !== 'true') /** @type {any} */ (window).tesseraFirstRenderMs = performance.now();
    root.dataset.version = String(state.version);
    root.dataset.ready = 'true';
    const t = pendingTiming.current;
    if (t !== null) {
      /** @type {Timing} */
      const entry = { version: state.version, full: t.full, rows: t.rows, fetchMs: t.fetched - t.t0, renderMs: performance.now() - t.fetched, paintMs: null };
      timings.push(entry);
      // After the next frame has been painted (a task queued from the frame's callback runs after it).
      requestAnimationFrame(() => setTimeout(() => { entry.paintMs = performance.now() - t.fetched; }, 0));
      if (timings.length > 1000) timings.splice(0, timings.length - 1000);
      pendingTiming.current = null;
    }
  }, [state]);

  useEffect(() => {
    let stopped = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const poll = async () => {
      try {
        /** @type {import('./api.js').DashboardHistory} */
        const h = await getJson(API.history(chartWindow));
        if (!stopped) setHistory(h);
      } catch (err) {
        if (!stopped) setError(err instanceof Error ? err.message : String(err));
      }
      if (!stopped) timer = setTimeout(poll, HISTORY_POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [chartWindow]);

  // The selected node's drawing: fetched when chosen and whenever the state says it changed.
  useEffect(() => {
    if (selected === null) return undefined;
    const ctl = new AbortController();
    getJson(API.node(selected), ctl.signal).then((d) => {
      setDetail(/** @type {import('./api.js').NodeDetail} */ (d));
      setDetailError(null);
    }, (err) => {
      if (!ctl.signal.aborted) setDetailError(err instanceof Error ? err.message : String(err));
    });
    return () => ctl.abort();
  }, [selected, selectedChanged]);

  useLayoutEffect(() => {
    if (detail === null || detail.name !== selected || selectStarted.current === null) return;
    selectTimings.push(performance.now() - selectStarted.current);
    selectStarted.current = null;
  }, [detail]);

  useEffect(() => {
    const onHash = () => setSelected(nodeFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const rows = useMemo(() => orderRows(rowsByName.current.values(), sort, filter), [rowsVersion, sort, filter]);

  // Each view is built again only when what it shows changed: Preact skips a subtree whose vnode is the same object,
  // so a poll that changed nothing re-renders the header line alone.
  const fleetVersion = state === null ? -1 : state.version;
  const overview = useMemo(() => (state === null ? null : html`<${FleetOverview} state=${state} />`), [fleetVersion, state?.pendingTotal, state?.podsHolding]);
  const charts = useMemo(() => (history === null
    ? html`<section class="panel"><p class="loading">Loading history…</p></section><section class="panel"><p class="loading">Loading history…</p></section>`
    : html`<${CostChart} history=${history} /><${FragmentationChart} history=${history} />`), [history]);
  const pendingView = useMemo(() => (state === null ? null : html`<${PendingTable} pending=${state.pending} total=${state.pendingTotal} />`), [state?.pending, state?.pendingTotal]);
  const drawing = useMemo(() => html`<${NodeDrawing} detail=${detail} name=${selected} error=${detailError} currency=${state?.currency ?? 'USD'} />`,
    [detail, selected, detailError, state?.currency]);

  if (state === null) {
    return html`<main><p class=${error ? 'error' : 'loading'}>${error ?? 'Loading the fleet…'}</p></main>`;
  }
  const select = (/** @type {string} */ name) => {
    if (name !== selected) selectStarted.current = performance.now();
    keepSelectionInUrl(name);
    setSelected(name);
  };
  return html`<main>
    <header class="top">
      <h1>Tessera <span>GPU fleet</span></h1>
      <div class="status" data-status=${error ? 'error' : 'live'}>
        <span class=${`dot ${error ? 'off' : 'on'}`}></span>
        ${error ? `update failed: ${error}` : `live · cluster ${state.cluster}${state.synced ? '' : ' (listing…)'} · version ${state.version} · ${clock(state.time)}`}
      </div>
    </header>
    ${overview}
    <div class="window-picker" role="group" aria-label="Chart window">
      ${WINDOWS.map((w) => html`<button type="button" class=${w === chartWindow ? 'on' : ''} aria-pressed=${w === chartWindow} onClick=${() => setChartWindow(w)}>${w}</button>`)}
    </div>
    <div class="two">${charts}</div>
    <div class="two nodes-row">
      <${NodeTable} rows=${rows} total=${rowsByName.current.size} selected=${selected} onSelect=${select}
        sort=${sort} onSort=${setSort} filter=${filter} onFilter=${setFilter} currency=${state.currency} />
      ${drawing}
    </div>
    ${pendingView}
  </main>`;
}

/**
 * Keeps the selection in the URL (shareable, survives a reload) without adding history entries.
 * @param {string} name
 */
function keepSelectionInUrl(name) {
  window.history.replaceState(null, '', `#node=${encodeURIComponent(name)}`);
}

const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
