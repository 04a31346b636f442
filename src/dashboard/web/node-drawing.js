// @ts-check
import { html } from './html.js';
import { colorAt, mem, money, num } from './format.js';

/** @typedef {import('./api.js').NodeDetail} NodeDetail */
/** @typedef {import('./api.js').NodePod} NodePod */
/** @typedef {import('./api.js').Device} Device */
/** @typedef {import('./api.js').NodeGpu} NodeGpu */

const BOX_W = 176;
const BOX_H = 122;
const GAP_X = 34;
const GAP_Y = 64;
const PAD = 16;
/** Room above and below the rows for the arcs of links between GPUs of one row. */
const ARC = 46;
const BAR_W = BOX_W - 20;
const MIG_SLICES = 8;
const NUMA_COLORS = ['#4b6fa8', '#a8664b', '#5b8f4e', '#8a5aa8'];

/**
 * One pod's piece of a GPU: where it sits on the memory and compute bars (fractions 0..1) or which cells it
 * takes (MIG slices, time-slice replicas).
 * @typedef {{ pod: NodePod, device: Device, memFrom: number, memTo: number, cmpFrom: number, cmpTo: number, cells: number[] }} Piece
 */

/** @typedef {Map<string, string>} PodColors colour by pod UID: the i-th pod of the node by name gets the i-th palette colour */

/**
 * Lays out the devices the pods hold on GPU position `i`, stacked in pod order.
 * @param {NodeGpu} gpu
 * @param {number} i
 * @param {NodePod[]} pods
 * @returns {Piece[]}
 */
function piecesOf(gpu, i, pods) {
  /** @type {Piece[]} */
  const out = [];
  let mem0 = 0;
  let cmp0 = 0;
  let replica = 0;
  for (const pod of pods) {
    for (const d of pod.allocation?.devices ?? []) {
      if (d.gpuIndex !== i) continue;
      const memShare = d.kind === 'whole' ? 1 : gpu.memoryMiB > 0 ? d.memoryMiB / gpu.memoryMiB : 0;
      const cmpShare = d.kind === 'whole' ? 1 : d.computeMilli / (gpu.computeMilli || 1000);
      /** @type {number[]} */
      const cells = [];
      if (d.kind === 'mig' && d.mig) for (let s = d.mig.start; s < d.mig.start + d.mig.size; s += 1) cells.push(s);
      if (d.kind === 'replica') for (let k = 0; k < (d.replicas ?? 1); k += 1) cells.push(replica++);
      out.push({ pod, device: d, memFrom: mem0, memTo: Math.min(1, mem0 + memShare), cmpFrom: cmp0, cmpTo: Math.min(1, cmp0 + cmpShare), cells });
      mem0 = Math.min(1, mem0 + memShare);
      cmp0 = Math.min(1, cmp0 + cmpShare);
    }
  }
  return out;
}

/**
 * @param {NodePod} pod
 * @param {Device} d
 */
function describe(pod, d) {
  const what = d.kind === 'whole' ? 'whole GPU'
    : d.kind === 'mig' ? `MIG ${d.mig?.profile ?? ''} at slice ${d.mig?.start ?? 0}`
    : d.kind === 'replica' ? `${d.replicas ?? 1} time-slice replica${(d.replicas ?? 1) > 1 ? 's' : ''}`
    : `${mem(d.memoryMiB)} and ${d.computeMilli} milli of compute`;
  return `${pod.namespace}/${pod.name}: ${what}`;
}

/**
 * A bar split into the pods' segments, with a faint track for what is free.
 * @param {{ y: number, pieces: Piece[], dim: 'mem' | 'cmp', label: string, colors: PodColors }} p
 */
function Bar({ y, pieces, dim, label, colors }) {
  return html`<g class="bar">
    <text x="10" y=${y - 4} class="bar-label">${label}</text>
    <rect x="10" y=${y} width=${BAR_W} height="14" rx="3" class="track" />
    ${pieces.map((p) => {
      const from = dim === 'mem' ? p.memFrom : p.cmpFrom;
      const to = dim === 'mem' ? p.memTo : p.cmpTo;
      if (to - from <= 0) return null;
      const key = `${p.pod.namespace}/${p.pod.name}`;
      return html`<rect x=${10 + from * BAR_W} y=${y} width=${Math.max(1.5, (to - from) * BAR_W)} height="14"
        fill=${colors.get(p.pod.uid)} data-pod=${key} data-dim=${dim} data-kind=${p.device.kind}><title>${describe(p.pod, p.device)}</title></rect>`;
    })}
  </g>`;
}

/**
 * Cells for MIG memory slices or time-slice replicas, each coloured by the pod holding it.
 * @param {{ y: number, count: number, pieces: Piece[], label: string, colors: PodColors }} p
 */
function Cells({ y, count, pieces, label, colors }) {
  const w = BAR_W / Math.max(1, count);
  /** @type {(Piece | undefined)[]} */
  const owner = new Array(count).fill(undefined);
  for (const p of pieces) for (const c of p.cells) if (c < count) owner[c] = p;
  return html`<g class="cells">
    <text x="10" y=${y - 4} class="bar-label">${label}</text>
    ${owner.map((p, c) => html`<rect x=${10 + c * w + 0.5} y=${y} width=${w - 1} height="14" rx="2"
      class=${p ? '' : 'track'} fill=${p ? colors.get(p.pod.uid) : undefined}
      data-pod=${p ? `${p.pod.namespace}/${p.pod.name}` : undefined} data-cell=${c}>${p ? html`<title>${describe(p.pod, p.device)}</title>` : null}</rect>`)}
  </g>`;
}

/**
 * One GPU box: its memory and compute (or MIG slices, or replicas) coloured by the pods holding them.
 * @param {{ gpu: NodeGpu, i: number, x: number, y: number, pods: NodePod[], colors: PodColors }} p
 */
function GpuBox({ gpu, i, x, y, pods, colors }) {
  const pieces = piecesOf(gpu, i, pods);
  const usedMem = pieces.reduce((s, p) => s + (p.memTo - p.memFrom), 0);
  const usedCmp = pieces.reduce((s, p) => s + (p.cmpTo - p.cmpFrom), 0);
  const mode = gpu.sharing.mode;
  const numa = gpu.numaNode;
  const stroke = numa === null ? '#777' : NUMA_COLORS[numa % NUMA_COLORS.length];
  const replicas = gpu.sharing.replicas ?? 0;
  return html`<g transform=${`translate(${x},${y})`} data-gpu=${gpu.index} data-position=${i} class="gpu">
    <rect width=${BOX_W} height=${BOX_H} rx="8" class="gpu-box" stroke=${stroke} />
    <text x="10" y="18" class="gpu-title">GPU ${gpu.index}</text>
    <text x=${BOX_W - 10} y="18" class="gpu-product" text-anchor="end">${gpu.product}</text>
    <text x="10" y="33" class="gpu-meta">${mode}${mode === 'time-sliced' ? ` ×${replicas}` : ''}${numa === null ? '' : ` · NUMA ${numa}`}${gpu.taints.length > 0 ? ' · tainted' : ''}</text>
    ${mode === 'mig'
      ? html`<${Cells} y=${52} count=${MIG_SLICES} pieces=${pieces} colors=${colors} label="MIG memory slices" />`
      : mode === 'time-sliced'
        ? html`<${Cells} y=${52} count=${replicas} pieces=${pieces} colors=${colors} label="replicas" />`
        : html`<${Bar} y=${52} pieces=${pieces} colors=${colors} dim="mem" label=${`memory ${mem(usedMem * gpu.memoryMiB)} / ${mem(gpu.memoryMiB)}`} />`}
    <${Bar} y=${90} pieces=${pieces} colors=${colors} dim="cmp" label=${`compute ${num(usedCmp * 100, 0)} %`} />
    <text x="10" y=${BOX_H - 6} class="gpu-meta">${pieces.length === 0 ? 'free' : `${pieces.length} pod${pieces.length > 1 ? 's' : ''}`}</text>
  </g>`;
}

/**
 * The links that are drawn: NVLink (solid, thicker with more bonds) and GPUs behind one PCIe switch (PIX,
 * dashed). Paths over several switches, the host bridge or across sockets (PXB, PHB, NODE, SYS) are left to the
 * NUMA colours and the link matrix below the drawing.
 * @param {string} cell
 */
function linkStyle(cell) {
  if (cell.startsWith('NV')) return { cls: 'link nv', width: 1.5 + Math.min(6, Number(cell.slice(2)) / 3) };
  if (cell === 'PIX') return { cls: 'link pcie', width: 1.5 };
  return null;
}

/**
 * The node's GPUs and links. An NVSwitch board (every pair NV-linked) is drawn as one switch, other boards with
 * one arc per link.
 * @param {{ detail: NodeDetail, colors: PodColors }} p
 */
function Topology({ detail, colors }) {
  const n = detail.gpus.length;
  if (n === 0) return html`<p class="empty">This node has no GPUs.</p>`;
  const cols = n <= 4 ? n : Math.ceil(n / 2);
  const rows = n <= 4 ? 1 : 2;
  const width = PAD * 2 + cols * BOX_W + (cols - 1) * GAP_X;
  const height = ARC * 2 + rows * BOX_H + (rows - 1) * GAP_Y;
  const pos = (/** @type {number} */ i) => ({ x: PAD + (i % cols) * (BOX_W + GAP_X), y: ARC + Math.floor(i / cols) * (BOX_H + GAP_Y), row: Math.floor(i / cols) });
  let allNv = n >= 4;
  for (let i = 0; i < n && allNv; i += 1) for (let j = 0; j < n; j += 1) if (i !== j && !String(detail.links[i]?.[j] ?? '').startsWith('NV')) allNv = false;
  /** @type {unknown[]} */
  const links = [];
  if (allNv) {
    const bonds = detail.links[0]?.[1] ?? 'NV';
    const sy = rows === 2 ? ARC + BOX_H + GAP_Y / 2 - 9 : ARC + BOX_H + 14;
    for (let i = 0; i < n; i += 1) {
      const p = pos(i);
      const top = p.row === 0;
      links.push(html`<line x1=${p.x + BOX_W / 2} y1=${top ? p.y + BOX_H : p.y} x2=${p.x + BOX_W / 2} y2=${top ? sy : sy + 18} class="link nv" stroke-width="4" />`);
    }
    links.push(html`<g data-link="nvswitch"><rect x=${PAD} y=${sy} width=${width - 2 * PAD} height="18" rx="9" class="switch" />
      <text x=${width / 2} y=${sy + 13} text-anchor="middle" class="switch-label">NVSwitch · every pair ${bonds}</text></g>`);
  } else {
    for (let i = 0; i < n; i += 1) {
      for (let j = i + 1; j < n; j += 1) {
        const cell = String(detail.links[i]?.[j] ?? '');
        const style = linkStyle(cell);
        if (style === null) continue;
        const a = pos(i);
        const b = pos(j);
        let d;
        let lx;
        let ly;
        if (a.row === b.row) {
          // Same row: an arc above (top row) or below (bottom row), higher for GPUs further apart.
          const up = a.row === 0;
          const y0 = up ? a.y : a.y + BOX_H;
          const span = Math.abs(j - i);
          const bulge = (up ? -1 : 1) * Math.min(ARC - 6, 14 + 10 * span);
          const x1 = a.x + BOX_W / 2;
          const x2 = b.x + BOX_W / 2;
          d = `M${x1},${y0} C${x1},${y0 + bulge} ${x2},${y0 + bulge} ${x2},${y0}`;
          lx = (x1 + x2) / 2;
          ly = y0 + bulge * 0.75 + (up ? -2 : 10);
        } else {
          const x1 = a.x + BOX_W / 2;
          const x2 = b.x + BOX_W / 2;
          d = `M${x1},${a.y + BOX_H} L${x2},${b.y}`;
          lx = (x1 + x2) / 2 + 4;
          ly = (a.y + BOX_H + b.y) / 2;
        }
        links.push(html`<g data-link=${`${i}-${j}`} data-level=${cell}><path d=${d} class=${style.cls} stroke-width=${style.width} fill="none" />
          <text x=${lx} y=${ly} class="link-label" text-anchor="middle">${cell}</text></g>`);
      }
    }
  }
  return html`<svg class="topology" viewBox=${`0 0 ${width} ${height}`} width=${width} height=${height} role="img"
      aria-label=${`GPUs and links of node ${detail.name}`}>
    ${links}
    ${detail.gpus.map((gpu, i) => html`<${GpuBox} key=${gpu.uuid} gpu=${gpu} i=${i} ...${pos(i)} pods=${detail.pods} colors=${colors} />`)}
  </svg>`;
}

/**
 * The selected node: its GPUs and their links, each GPU's memory and compute coloured by pod, the pods, and the
 * link matrix as `nvidia-smi topo -m` prints it.
 * @param {{ detail: NodeDetail | null, name: string | null, error: string | null, currency: string }} p
 */
export function NodeDrawing({ detail, name, error, currency }) {
  if (name === null) return html`<section class="panel drawing"><h2>Node</h2><p class="empty">Select a node in the table to draw its GPUs.</p></section>`;
  if (error !== null) return html`<section class="panel drawing"><h2>${name}</h2><p class="error">${error}</p></section>`;
  if (detail === null || detail.name !== name) return html`<section class="panel drawing"><h2>${name}</h2><p class="loading">Loading…</p></section>`;
  const pods = [...detail.pods].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  /** @type {PodColors} */
  const colors = new Map(pods.map((p, i) => [p.uid, colorAt(i, p.uid)]));
  const s = detail.summary;
  return html`<section class="panel drawing" aria-labelledby="drawing-title" data-drawing=${detail.name} data-version=${detail.version}>
    <h2 id="drawing-title">${detail.name}</h2>
    <p class="node-meta">
      <span class=${`badge ${detail.capacityType}`}>${detail.capacityType}</span>
      ${detail.instanceType ?? 'unknown instance type'} · ${detail.zone ?? 'no zone'} · topology ${detail.topologySource}
      · ${money(detail.hourlyPrice, currency)}/h · allocated ${num(s.allocated)} · stranded ${num(s.stranded)} of ${num(s.idle)} idle
    </p>
    <div class="topology-wrap"><${Topology} detail=${{ ...detail, pods }} colors=${colors} /></div>
    <p class="legend-keys"><span class="key nv"></span> NVLink <span class="key pcie"></span> one PCIe switch (PIX)
      <span class="key numa"></span> box colour: NUMA node</p>
    ${pods.length === 0 ? html`<p class="empty">No pod holds devices on this node.</p>` : html`<table class="legend" data-table="node-pods">
      <thead><tr><th></th><th>Pod</th><th>State</th><th class="n">GPU-eq.</th><th>Devices</th></tr></thead>
      <tbody>${pods.map((p) => html`<tr key=${p.uid} data-legend-pod=${`${p.namespace}/${p.name}`}>
        <td><span class="swatch" style=${{ background: colors.get(p.uid) }}></span></td>
        <td class="pod">${p.namespace}/${p.name}</td><td>${p.phase}${p.counted ? '' : ' (not counted)'}</td>
        <td class="n">${num(p.gpuEquivalents, 3)}</td>
        <td>${(p.allocation?.devices ?? []).map((d) => `GPU ${detail.gpus[d.gpuIndex]?.index ?? d.gpuIndex}: ${describe(p, d).split(': ')[1]}`).join('; ')}</td>
      </tr>`)}</tbody>
    </table>`}
    <details class="matrix"><summary>Link matrix (nvidia-smi topo -m)</summary>
      <table data-table="links"><thead><tr><th></th>${detail.gpus.map((g) => html`<th>GPU${g.index}</th>`)}</tr></thead>
        <tbody>${detail.links.map((row, i) => html`<tr><th>GPU${detail.gpus[i]?.index ?? i}</th>${row.map((c) => html`<td class=${c.startsWith('NV') ? 'nv' : c === 'X' ? 'x' : ''}>${c}</td>`)}</tr>`)}</tbody>
      </table>
    </details>
  </section>`;
}
