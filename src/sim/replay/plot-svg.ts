import type { RunResult } from './replay-trace.js';
import { median } from './summarize.js';

const COLORS = ['#7f7f7f', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#d62728', '#17becf', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Hand-written SVG like the FGD paper's Fig. 9(a): median unallocated GPU % over seeds against arrived
 * workload % (70..130), one line per policy, plus the "Ideal" line 100 − arrival.
 */
export function plotSvg(results: readonly RunResult[], title: string): string {
  const W = 720, H = 440, L = 60, R = 150, T = 36, B = 50;
  const x0 = 70, x1 = 130, y0 = 0, y1 = 30;
  const px = (x: number): number => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number): number => T + (1 - (Math.min(y1, Math.max(y0, y)) - y0) / (y1 - y0)) * (H - T - B);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${L}" y="20" font-size="14">${esc(title)}: unallocated GPU (%) by arrived workload (% of GPU capacity), median of seeds</text>`);
  for (let x = x0; x <= x1; x += 10) {
    out.push(`<line x1="${px(x)}" y1="${py(y0)}" x2="${px(x)}" y2="${py(y1)}" stroke="#eee"/>`);
    out.push(`<text x="${px(x)}" y="${H - B + 18}" text-anchor="middle">${x}</text>`);
  }
  for (let y = y0; y <= y1; y += 5) {
    out.push(`<line x1="${px(x0)}" y1="${py(y)}" x2="${px(x1)}" y2="${py(y)}" stroke="#eee"/>`);
    out.push(`<text x="${L - 8}" y="${py(y) + 4}" text-anchor="end">${y}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">Arrived workload (% of GPU capacity)</text>`);
  out.push(`<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">Unallocated GPU (%)</text>`);
  const ideal: string[] = [];
  for (let x = x0; x <= x1; x++) ideal.push(`${px(x).toFixed(1)},${py(Math.max(0, 100 - x)).toFixed(1)}`);
  out.push(`<polyline points="${ideal.join(' ')}" fill="none" stroke="#000" stroke-dasharray="4 3"/>`);
  const policies = [...new Set(results.map((r) => r.policy))];
  policies.forEach((policy, i) => {
    const runs = results.filter((r) => r.policy === policy);
    const pts: string[] = [];
    for (let x = x0; x <= x1; x++) {
      const vals = runs.map((r) => 100 - r.curve[x]!).filter((v) => !Number.isNaN(v));
      if (vals.length > 0) pts.push(`${px(x).toFixed(1)},${py(median(vals)).toFixed(1)}`);
    }
    const color = COLORS[i % COLORS.length]!;
    out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2"><title>${esc(policy)}</title></polyline>`);
    const ly = T + 16 + i * 18;
    out.push(`<line x1="${W - R + 12}" y1="${ly - 4}" x2="${W - R + 36}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${W - R + 42}" y="${ly}">${esc(policy)}</text>`);
  });
  const ly = T + 16 + policies.length * 18;
  out.push(`<line x1="${W - R + 12}" y1="${ly - 4}" x2="${W - R + 36}" y2="${ly - 4}" stroke="#000" stroke-dasharray="4 3"/>`);
  out.push(`<text x="${W - R + 42}" y="${ly}">Ideal</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
