import type { GpuLink, LinkMatrix } from './link-matrix.js';
import type { ParseIssue, ParseResult } from './parse-result.js';
import { failed, parsed } from './parse-result.js';

/** What `nvidia-smi topo -m` says about the GPUs of one node. NIC rows and columns are dropped. */
export interface NvidiaSmiTopo {
  readonly gpuCount: number;
  /** Symmetric GPU-by-GPU matrix, `X` on the diagonal. */
  readonly links: LinkMatrix;
  /** `NUMA Affinity` per GPU; null when the column is absent, `N/A` or not a single node (e.g. `0-1`). */
  readonly numaNodes: readonly (number | null)[];
  /** `CPU Affinity` per GPU as printed (e.g. `0-19,80-99`); '' when the column is absent. */
  readonly cpuAffinity: readonly string[];
  /** Number of NIC columns seen (they do not enter `links`). */
  readonly nicCount: number;
}

/** Trailing header columns whose names contain spaces, as recent drivers print them. */
const AFFINITY_HEADERS = ['CPU Affinity', 'NUMA Affinity', 'GPU NUMA ID'] as const;
type AffinityHeader = (typeof AFFINITY_HEADERS)[number];

// ANSI SGR escapes (`\x1b[4m` … `\x1b[0m`) wrap the header on terminals.
const ANSI = /\x1b\[[0-9;]*m/g;
const DEVICE = /^(GPU|NIC)(\d+)$/;
const SHARED_LINKS: Readonly<Record<string, GpuLink>> = Object.freeze({
  X: { level: 'X', bonds: 0 },
  PIX: { level: 'PIX', bonds: 0 },
  PXB: { level: 'PXB', bonds: 0 },
  PHB: { level: 'PHB', bonds: 0 },
  NODE: { level: 'NODE', bonds: 0 },
  SYS: { level: 'SYS', bonds: 0 },
  // Drivers before R384 printed SOC for what is now SYS.
  SOC: { level: 'SYS', bonds: 0 },
});

/** Parses one matrix cell (`X`, `NV<k>`, `PIX`, `PXB`, `PHB`, `NODE`, `SYS`), or null when it is none of them. */
export function parseLinkCell(cell: string): GpuLink | null {
  const known = SHARED_LINKS[cell];
  if (known !== undefined) return known;
  const nv = /^NV(\d+)$/.exec(cell);
  if (nv === null) return null;
  const bonds = Number(nv[1]);
  return bonds >= 1 ? { level: 'NV', bonds } : null;
}

/** Formats a link as `nvidia-smi topo -m` prints it (`X`, `NV12`, `SYS`). */
export function formatLinkCell(link: GpuLink): string {
  return link.level === 'NV' ? `NV${link.bonds}` : link.level;
}

interface Header {
  readonly gpus: number;
  readonly nics: number;
  readonly affinity: readonly AffinityHeader[];
}

/** Reads the header row: `GPU0 … GPUn [NIC0 … NICm] [CPU Affinity] [NUMA Affinity] [GPU NUMA ID]`. */
function parseHeader(line: string, errors: ParseIssue[]): Header {
  const words = line.trim().split(/\s+/);
  let gpus = 0;
  let nics = 0;
  let i = 0;
  for (; i < words.length; i += 1) {
    const m = DEVICE.exec(words[i] ?? '');
    if (m === null) break;
    const expected = m[1] === 'GPU' ? gpus : nics;
    if (m[1] === 'GPU' && nics > 0) {
      errors.push({ path: 'header', message: `cannot read column "${words[i]}": GPU columns must come before NIC columns` });
    } else if (Number(m[2]) !== expected) {
      errors.push({ path: 'header', message: `cannot read column "${words[i]}": expected "${m[1]}${expected}"` });
    }
    if (m[1] === 'GPU') gpus += 1;
    else nics += 1;
  }
  const rest = words.slice(i).join(' ');
  const affinity: AffinityHeader[] = [];
  let unread = rest;
  for (const h of AFFINITY_HEADERS) {
    const at = unread.indexOf(h);
    if (at < 0) continue;
    if (unread.slice(0, at).trim() !== '') break;
    affinity.push(h);
    unread = unread.slice(at + h.length);
  }
  if (unread.trim() !== '') {
    errors.push({ path: 'header', message: `cannot read header column "${unread.trim()}": expected ${AFFINITY_HEADERS.map((h) => `"${h}"`).join(', ')}` });
  }
  return { gpus, nics, affinity };
}

/**
 * Parses the text of `nvidia-smi topo -m` (tab- or space-separated, with or without ANSI escapes, legend
 * and NIC legend). Errors name the row and column (`GPU3.GPU5`) and quote the offending value; the
 * matrix must be square over the GPUs, `X` exactly on the diagonal, and symmetric.
 */
export function parseNvidiaSmiTopo(text: string): ParseResult<NvidiaSmiTopo> {
  const errors: ParseIssue[] = [];
  const lines = text.replace(ANSI, '').split(/\r?\n/);
  // The header starts with GPU0 like row 0 does, but carries no link cell.
  const headerAt = lines.findIndex((l) => /^\s*GPU0(\s|$)/.test(l) && !/\s(X|NV\d+|PIX|PXB|PHB|NODE|SYS|SOC)(\s|$)/.test(l));
  if (headerAt < 0) return failed([{ path: 'header', message: 'cannot find the header row: expected a line starting with "GPU0"' }]);
  const header = parseHeader(lines[headerAt] ?? '', errors);
  if (header.gpus === 0) return failed([{ path: 'header', message: 'cannot parse topology: the header names no GPU column' }]);
  const devices = header.gpus + header.nics;
  const n = header.gpus;

  const rows = new Map<number, { cells: string[]; affinity: string[] }>();
  const seen = new Set<number>();
  for (const raw of lines.slice(headerAt + 1)) {
    const line = raw.trim();
    if (line === '') continue;
    if (/^(Legend|NIC Legend)\s*:/.test(line)) break;
    const words = line.split(/\s+/);
    const label = words[0] ?? '';
    const m = DEVICE.exec(label);
    if (m === null) {
      errors.push({ path: label, message: `cannot read line "${line}": expected a GPU<n> or NIC<n> row` });
      continue;
    }
    if (m[1] === 'NIC') continue;
    const index = Number(m[2]);
    if (index >= n) {
      errors.push({ path: label, message: `cannot read row "${label}": the header has ${n} GPU columns` });
      continue;
    }
    if (seen.has(index)) {
      errors.push({ path: label, message: `cannot read row "${label}": it appears twice` });
      continue;
    }
    seen.add(index);
    const cells = words.slice(1, 1 + devices);
    if (cells.length < devices) {
      errors.push({ path: label, message: `cannot read row "${label}": it has ${cells.length} link cells: expected ${devices}` });
      continue;
    }
    rows.set(index, { cells: cells.slice(0, n), affinity: words.slice(1 + devices) });
  }
  for (let i = 0; i < n; i += 1) {
    if (!seen.has(i)) errors.push({ path: `GPU${i}`, message: `cannot parse topology: row "GPU${i}" is missing: the matrix must be square (${n} GPU columns)` });
  }
  if (errors.length > 0) return failed(errors);

  const links: GpuLink[][] = [];
  const numaNodes: (number | null)[] = [];
  const cpuAffinity: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const row = rows.get(i) ?? { cells: [], affinity: [] };
    const out: GpuLink[] = [];
    row.cells.forEach((cell, j) => {
      const link = parseLinkCell(cell);
      const path = `GPU${i}.GPU${j}`;
      if (link === null) {
        errors.push({ path, message: `cannot read link "${cell}": expected X, NV<k>, PIX, PXB, PHB, NODE or SYS` });
      } else if ((link.level === 'X') !== (i === j)) {
        errors.push({ path, message: i === j ? `cannot read link "${cell}": the diagonal must be X` : `cannot read link "${cell}": X only belongs on the diagonal` });
      }
      out.push(link ?? SHARED_LINKS.X as GpuLink);
    });
    links.push(out);
    const value = (h: AffinityHeader): string | undefined => {
      const k = header.affinity.indexOf(h);
      return k < 0 ? undefined : row.affinity[k];
    };
    const numa = value('NUMA Affinity');
    numaNodes.push(numa !== undefined && /^\d+$/.test(numa) ? Number(numa) : null);
    cpuAffinity.push(value('CPU Affinity') ?? '');
  }
  if (errors.length > 0) return failed(errors);
  for (let i = 0; i < n; i += 1) {
    for (let j = i + 1; j < n; j += 1) {
      const a = links[i]?.[j];
      const b = links[j]?.[i];
      if (a !== undefined && b !== undefined && (a.level !== b.level || a.bonds !== b.bonds)) {
        errors.push({ path: `GPU${i}.GPU${j}`, message: `cannot accept asymmetric links: "${formatLinkCell(a)}" at GPU${i}.GPU${j} but "${formatLinkCell(b)}" at GPU${j}.GPU${i}` });
      }
    }
  }
  if (errors.length > 0) return failed(errors);
  return parsed({ gpuCount: n, links, numaNodes, cpuAffinity, nicCount: header.nics });
}

/** Formats a link matrix (plus optional affinity columns) as `nvidia-smi topo -m` text, tab-separated. */
export function formatNvidiaSmiTopo(links: LinkMatrix, numaNodes?: readonly (number | null)[], cpuAffinity?: readonly string[]): string {
  const n = links.length;
  const names = Array.from({ length: n }, (_, i) => `GPU${i}`);
  const extra: string[] = [];
  if (cpuAffinity !== undefined) extra.push('CPU Affinity');
  if (numaNodes !== undefined) extra.push('NUMA Affinity');
  const out = [['', ...names, ...extra].join('\t')];
  links.forEach((row, i) => {
    const cells = row.map((l) => (l.level === 'X' ? ' X ' : formatLinkCell(l)));
    if (cpuAffinity !== undefined) cells.push(cpuAffinity[i] ?? 'N/A');
    if (numaNodes !== undefined) cells.push(String(numaNodes[i] ?? 'N/A'));
    out.push([`GPU${i}`, ...cells].join('\t'));
  });
  return `${out.join('\n')}\n`;
}

