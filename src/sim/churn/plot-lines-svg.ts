const COLORS = ['#7f7f7f', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#d62728', '#17becf', '#8c564b', '#e377c2', '#bcbd22', '#000000', '#aec7e8'];

/** One line: a name for the legend and its points (NaN y values break the line). */
export interface LineSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** What to draw. */
export interface LinePlot {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  /** A dashed vertical marker, e.g. the end of the arrival window. */
  readonly marker?: { readonly x: number; readonly label: string };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A round tick step (1, 2 or 5 × 10^k) giving about `count` ticks up to `max`. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}

/** Hand-written SVG line chart in the style of plot-svg.ts: axes from 0, one coloured line per series, a legend. */
export function plotLinesSvg(plot: LinePlot): string {
  const W = 800, H = 440, L = 70, R = 200, T = 36, B = 50;
  let xMax = plot.marker?.x ?? 0, yMax = 0;
  for (const s of plot.series) {
    for (const [x, y] of s.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      xMax = Math.max(xMax, x);
      yMax = Math.max(yMax, y);
    }
  }
  const xs = niceStep(xMax), ys = niceStep(yMax);
  const x1 = Math.max(xs, Math.ceil(xMax / xs) * xs), y1 = Math.max(ys, Math.ceil(yMax / ys) * ys);
  const px = (x: number): number => L + (x / x1) * (W - L - R);
  const py = (y: number): number => T + (1 - Math.min(y1, Math.max(0, y)) / y1) * (H - T - B);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${L}" y="20" font-size="14">${esc(plot.title)}</text>`);
  for (let x = 0; x <= x1 + 1e-9; x += xs) {
    out.push(`<line x1="${px(x).toFixed(1)}" y1="${py(0).toFixed(1)}" x2="${px(x).toFixed(1)}" y2="${py(y1).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${px(x).toFixed(1)}" y="${H - B + 18}" text-anchor="middle">${fmt(x)}</text>`);
  }
  for (let y = 0; y <= y1 + 1e-9; y += ys) {
    out.push(`<line x1="${px(0).toFixed(1)}" y1="${py(y).toFixed(1)}" x2="${px(x1).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${L - 8}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${fmt(y)}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">${esc(plot.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(plot.yLabel)}</text>`);
  if (plot.marker !== undefined) {
    const mx = px(plot.marker.x).toFixed(1);
    out.push(`<line x1="${mx}" y1="${py(0).toFixed(1)}" x2="${mx}" y2="${py(y1).toFixed(1)}" stroke="#000" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${(px(plot.marker.x) + 4).toFixed(1)}" y="${T + 14}">${esc(plot.marker.label)}</text>`);
  }
  plot.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const segments: string[][] = [[]];
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y)) { if (segments[segments.length - 1]!.length > 0) segments.push([]); continue; }
      segments[segments.length - 1]!.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    }
    for (const seg of segments) {
      if (seg.length > 0) out.push(`<polyline points="${seg.join(' ')}" fill="none" stroke="${color}" stroke-width="2"><title>${esc(s.name)}</title></polyline>`);
    }
    const ly = T + 16 + i * 18;
    out.push(`<line x1="${W - R + 12}" y1="${ly - 4}" x2="${W - R + 36}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${W - R + 42}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
